"""How each program of the kitchen was started: the command you would type in a terminal, and the
settings it was given beyond the restaurant's own (a drill's short visibility timeout, say).

    labkit.programs()      # a table: program, command line, settings

Nothing hides here: labkit starts the same commands a deployment runs (`celery -A restaurant
worker`, `daphne restaurant.classroom.asgi:application`, ...), with the same settings mechanism
(environment variables that restaurant/classroom/settings.py reads).
"""
from __future__ import annotations

from labkit.runtime.tables import Table

#: what every program gets (where Redis is, with its password; the run folder): not a setting
BASE = {"DJANGO_SETTINGS_MODULE", "ORDERUP_REDIS_URL", "ORDERUP_REDIS_FIRST_DB", "ORDERUP_RUN_DIR",
        "ORDERUP_PROGRAM", "ORDERUP_DOOR_KEY", "PYTHONPATH"}


def settings_given(service) -> dict[str, str]:
    """The environment a service got beyond what every program gets."""
    return {k: v for k, v in sorted(service.extra_env.items())
            if k not in BASE and "PASSWORD" not in k and "KEY" not in k}


def programs(kitchen=None) -> Table:
    """Every running program of ``kitchen`` (this kernel's): its command line and settings."""
    if kitchen is None:
        from labkit.kitchen.restaurant import current
        kitchen = current()
    rows = [{"program": s.name, "command": s.command_line,
             "settings": " ".join(f"{k}={v}" for k, v in settings_given(s).items())}
            for s in kitchen.services if s.running]
    return Table(rows, ["program", "command", "settings"], title="how each program was started")
