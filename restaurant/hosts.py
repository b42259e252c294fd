"""Which host names the browser may use to reach the restaurant.

Django answers only for hosts in ALLOWED_HOSTS, and Channels' AllowedHostsOriginValidator accepts a
WebSocket only when its Origin is one of them. That stops another site in the learner's browser
(a DNS-rebinding page, a page that opens a socket to 127.0.0.1) from using the restaurant.

On a laptop the browser talks to 127.0.0.1 directly. On Binder or a JupyterHub the browser talks to
the hub, and jupyter-server-proxy forwards Host and Origin unchanged: the hub's name must be allowed
too. We read it from the environment the hub gives the kernel, instead of turning the check off.
"""
from urllib.parse import urlsplit

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def _host_of(url: str) -> str | None:
    return urlsplit(url if "//" in url else f"//{url}").hostname


def hub_hosts(environ) -> list[str]:
    """Hosts named by the environment, most explicit first.

    ORDERUP_ALLOWED_HOSTS   comma-separated names, set by an instructor (a hub's spawner environment)
    JUPYTERHUB_PUBLIC_URL   the public URL of this user's server, when the hub knows it
    JUPYTERHUB_HOST         the user's host when the hub serves each user on a subdomain
    BINDER_LAUNCH_HOST      the Binder site that launched us (mybinder.org's hubs are its subdomains)
    """
    hosts = [h.strip() for h in environ.get("ORDERUP_ALLOWED_HOSTS", "").split(",") if h.strip()]
    for name in ("JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_HOST"):
        host = _host_of(environ.get(name, ""))
        if host:
            hosts.append(host)
    binder = _host_of(environ.get("BINDER_LAUNCH_HOST", ""))
    if binder:
        hosts.append("." + binder)  # Django: ".mybinder.org" is mybinder.org and its subdomains
    return list(dict.fromkeys(hosts))


def trusted_origins(hosts: list[str]) -> list[str]:
    """CSRF_TRUSTED_ORIGINS for a hub served over https: its pages post orders over the proxy,
    which speaks plain http to Daphne, so Django cannot tell the page was https."""
    return [f"https://{'*' + h if h.startswith('.') else h}" for h in hosts]
