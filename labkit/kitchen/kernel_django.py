"""Django inside the kernel, pointed at one restaurant: so a notebook can use the restaurant's models
(``Order.objects...``), its tasks (``cook_order.delay``) and Django's test client.

Only one restaurant per process can own this process's Django (its settings are read once); tests
that open several restaurants run Django's commands in a process of their own instead.
"""
from __future__ import annotations

import os
import subprocess
import sys

from labkit.runtime.errors import LabkitError
from labkit.runtime.paths import course_root

SETTINGS = "restaurant.classroom.settings"

#: the restaurant whose Redis this process's Django settings point at (one per process)
_owner = None


def owner():
    return _owner


def manage(restaurant, *args: str) -> None:
    """Run ``manage.py ARGS`` for ``restaurant``: in this process if it owns Django here, else in a
    process of its own (with the restaurant's environment)."""
    if _owner is restaurant:
        from django.core.management import call_command
        call_command(*args, verbosity=0, interactive=False)
        return
    env = {**os.environ, **restaurant.app_environment()}
    subprocess.run([sys.executable, "manage.py", *args, "--verbosity=0", "--noinput"],
                   cwd=course_root(), env=env, check=True, capture_output=True)


def prepare(restaurant) -> None:
    """Point this process's Django at ``restaurant``'s Redis and run folder, and migrate its database.

    In a kernel this runs as soon as labkit is imported, so the restaurant's code (models, tasks)
    can be imported in any order; it needs no running service."""
    global _owner
    if _owner is restaurant:
        return
    if not (restaurant.in_process_django and _owner is None):
        manage(restaurant, "migrate")  # Django here is not ours: a test process, a second restaurant
        return
    os.environ.update(restaurant.app_environment())
    os.environ["ORDERUP_PROGRAM"] = "kernel"
    # Jupyter runs cells inside an event loop; Django's ORM refuses that unless told it is fine.
    # Only the kernel gets this: the worker and Daphne run without it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # this checkout's restaurant, as the worker and Daphne import it (not an installed copy)
    root = str(course_root())
    if root not in sys.path[:1]:
        sys.path.insert(0, root)
    import django
    from django.conf import settings
    django.setup()
    if settings.REDIS_URL != restaurant.redis_url:
        raise LabkitError(
            "This kernel loaded the restaurant's Django settings before labkit, so they point at the "
            "wrong Redis.\nRestart the kernel and `import labkit` before importing the restaurant's code.")
    _owner = restaurant
    manage(restaurant, "migrate")


def drop_stale_connections(restaurant) -> None:
    """After Redis restarts, this process's pooled connections point at the old server.
    Publishing reconnects by itself; Celery's control channel (inspect, purge) does not."""
    if _owner is not restaurant or "restaurant" not in sys.modules:
        return
    from channels.layers import channel_layers
    from kombu import pools

    from restaurant import celery_app
    pools.reset()             # kombu's process-wide pools, keyed by broker URL: close and forget
    celery_app._after_fork()  # Celery's own reset (as after a fork): new pools on next use
    celery_app.__dict__.pop("control", None)  # its mailbox holds the old producer pool
    channel_layers.backends.clear()  # the channel layer's pool: get_channel_layer() makes anew
