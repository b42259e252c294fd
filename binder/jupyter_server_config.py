# Jupyter server configuration for Order Up! (Binder installs it in $NB_PYTHON_PREFIX/etc/jupyter;
# a JupyterHub image does the same, INSTRUCTORS.md; `make lab` passes it with --config).
#
# Named proxy entries: <base_url>orderup/ and <base_url>flower/ open the front desk
# (labkit/kitchen/front_desk.py), which lists this user's open restaurants and sends the browser on to
# their pages, or passes requests on to Flower. Each kernel runs its own Daphne on a port of its
# own, so the entries cannot point at one fixed port; the desk finds the live ones.
#
# The desk listens on a Unix socket in a fresh 0700 folder ("unix_socket": True), never on a TCP
# port: another user of the machine cannot reach it, so only someone logged in to this Jupyter
# server sees this user's door keys and Flower.
import sys

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)


def front_desk(show: str, title: str, **more) -> dict:
    return {
        "command": [sys.executable, "-m", "labkit.kitchen.front_desk", "--unix-socket", "{unix_socket}",
                    "--show", show],
        "unix_socket": True,
        "timeout": 20,
        "launcher_entry": {"title": title, "category": "Other"},
        "new_browser_tab": True,
        **more,
    }


c.ServerProxy.servers = {
    "orderup": front_desk("tables", "Order Up! tables"),
    # Flower writes absolute links and serves under <base_url>flower (its --url_prefix): keep the path
    "flower": front_desk("flower", "Flower (Celery monitor)", absolute_url=True),
}
