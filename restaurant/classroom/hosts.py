"""Which host names the browser may use to reach the restaurant.

Django answers only for hosts in ALLOWED_HOSTS, and Channels' AllowedHostsOriginValidator accepts a
WebSocket only when its Origin is one of them. That stops another site in the learner's browser
(a DNS-rebinding page, a page that opens a socket to 127.0.0.1) from using the restaurant.

On a laptop the browser talks to 127.0.0.1 directly. On Binder or a JupyterHub the browser talks to
the hub, and jupyter-server-proxy forwards Host and Origin unchanged: the hub's name must be allowed
too. We read it from the environment the hub gives the kernel, instead of turning the check off.

The hub's public URL (scheme, host and port) also says which Origin the page's POSTs come from.
Django's CSRF check compares an Origin with scheme, host *and* port; the proxy speaks plain http to
Daphne, so behind an https hub (on any port) the Origin must be listed in CSRF_TRUSTED_ORIGINS.
"""
from urllib.parse import urlsplit

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def _host_of(url: str) -> str | None:
    return urlsplit(url if "//" in url else f"//{url}").hostname


def public_urls(environ) -> list[str]:
    """The hub's public URLs, most explicit first.

    ORDERUP_PUBLIC_URL      set by an instructor, e.g. https://hub.example.org:8443
    JUPYTERHUB_PUBLIC_URL   this user's server, when the hub knows its public URL (JupyterHub sets it
                            from c.JupyterHub.public_url: the one place to say it)
    """
    return [environ[name] for name in ("ORDERUP_PUBLIC_URL", "JUPYTERHUB_PUBLIC_URL")
            if "//" in environ.get(name, "")]


def hub_hosts(environ) -> list[str]:
    """Hosts named by the environment, most explicit first.

    ORDERUP_ALLOWED_HOSTS   comma-separated names, set by an instructor (a hub's spawner environment)
    the public URLs above
    JUPYTERHUB_HOST         the user's host when the hub serves each user on a subdomain
    BINDER_LAUNCH_HOST      the Binder site that launched us (mybinder.org's hubs are its subdomains)
    """
    hosts = [h.strip() for h in environ.get("ORDERUP_ALLOWED_HOSTS", "").split(",") if h.strip()]
    for url in [*public_urls(environ), environ.get("JUPYTERHUB_HOST", "")]:
        host = _host_of(url)
        if host:
            hosts.append(host)
    binder = _host_of(environ.get("BINDER_LAUNCH_HOST", ""))
    if binder:
        hosts.append("." + binder)  # Django: ".mybinder.org" is mybinder.org and its subdomains
    return list(dict.fromkeys(hosts))


def trusted_origins(environ) -> list[str]:
    """CSRF_TRUSTED_ORIGINS: the public URLs' origins (scheme, host, port) as given, and https on the
    default port for every other hub host (a plain-http hub needs none: there the Origin matches
    the Host header the proxy forwards)."""
    origins = []
    for url in public_urls(environ):
        parts = urlsplit(url)
        origins.append(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}")
    for host in hub_hosts(environ):
        origins.append(f"https://{'*' + host if host.startswith('.') else host}")
    return list(dict.fromkeys(origins))
