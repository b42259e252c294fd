"""The address a learner's browser uses to reach a service of this kernel (Daphne, Flower...).

Where the notebook runs decides it:
- plain JupyterLab on a laptop: the browser is on the same machine, so http://127.0.0.1:PORT/...
- Binder and JupyterHub: the browser is somewhere else and reaches the kernel's machine only
  through the Jupyter server. jupyter-server-proxy forwards <base_url>proxy/PORT/... to
  127.0.0.1:PORT (the prefix stripped). The link is a path without a host: the browser keeps the
  hub's host, whatever it is.

ORDERUP_BROWSER=direct or ORDERUP_BROWSER=proxy overrides the choice (an SSH tunnel, a test).

The restaurant's pages are linked through the front desk (labkit/kitchen/front_desk.py) instead:
<base_url>orderup/run/<run>/table/5/ sends the browser on to <base_url>proxy/<port>/..., with the door
key, while the restaurant is open, and says what to run once it is closed (a bare proxy link to a
closed port only gets a 500 from the proxy).
"""
import html
import os


def jupyter_base_url() -> str | None:
    """The base_url of the Jupyter server this kernel belongs to, or None outside Jupyter."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")  # JupyterHub and Binder set it: /user/<name>/
    if prefix:
        return prefix
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:
        return None
    parent = os.getppid()  # a Jupyter server starts its kernels as its own children
    for server in list_running_servers():
        if server.get("pid") == parent:
            return server.get("base_url", "/")
    return None


def proxy_base() -> str | None:
    """The base_url through which the browser reaches this kernel's services, or None when it
    reaches 127.0.0.1 directly (a laptop's browser, beside the kernel)."""
    base = jupyter_base_url()
    via = os.environ.get("ORDERUP_BROWSER", "")
    if via == "proxy" or (via != "direct" and base not in (None, "/")):
        return base or "/"
    return None


def browser_url(port: int, path: str = "") -> str:
    """Where the browser finds ``path`` on the service listening at 127.0.0.1:``port``."""
    path = path.lstrip("/")
    base = proxy_base()
    if base is not None:
        return f"{base.rstrip('/')}/proxy/{port}/{path}"
    return f"http://127.0.0.1:{port}/{path}"


def with_key(url: str, key: str) -> str:
    """``url`` with a door key in its query (``?key=``), as the notebook hands links out."""
    return f"{url}{'&' if '?' in url else '?'}key={key}" if key else url


class Link:
    """A link a notebook shows as a clickable anchor (and as the plain URL in text)."""

    def __init__(self, url: str, text: str):
        self.url, self.text = url, text

    def _repr_html_(self) -> str:
        return (f'<a href="{html.escape(self.url)}" target="_blank" rel="noopener">'
                f"{html.escape(self.text)}</a> <code>{html.escape(self.url)}</code>")

    def __repr__(self) -> str:
        return f"{self.text}: {self.url}"

    def __str__(self) -> str:
        return self.url
