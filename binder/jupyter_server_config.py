# Jupyter server configuration for Order Up! (Binder installs it in $NB_PYTHON_PREFIX/etc/jupyter;
# a JupyterHub image can do the same; `make lab` passes it with --config).
#
# Named proxy entries: <base_url>orderup/ and <base_url>flower/ open a small front desk
# (labkit/frontdesk.py) that lists this user's open restaurants and links to their pages, or to
# Flower, through <base_url>proxy/<port>/. Each kernel runs its own Daphne on a port of its own, so
# the entries cannot point at one fixed port; the front desk finds the live ones.
import sys

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

c.ServerProxy.servers = {
    "orderup": {
        "command": [sys.executable, "-m", "labkit.frontdesk", "--port", "{port}", "--show", "tables"],
        "timeout": 20,
        "launcher_entry": {"title": "Order Up! tables", "category": "Other"},
        "new_browser_tab": True,
    },
    "flower": {
        "command": [sys.executable, "-m", "labkit.frontdesk", "--port", "{port}", "--show", "flower"],
        "timeout": 20,
        "launcher_entry": {"title": "Flower (Celery monitor)", "category": "Other"},
        "new_browser_tab": True,
    },
}
