"""What labkit knows about the restaurant, each fact kept in one place: here. The databases are read
from the restaurant's settings; the group and the type are copies of names in its code, which
tests/test_layout.py checks against the files.

    databases()        which Redis database wears which hat: restaurant/settings.py, REDIS_DATABASES
    database(hat)      one of them ("broker", "results", "channel layer", "cache")
    table_group(n)     the group a table's buzzers join: f"table_{n}" (orders/consumers.py, tasks.py)
    BUZZ               the buzz's message type, "order.update" (tasks.py sends it, consumers.py
                       handles it as order_update; tests/test_layout.py reads both files)

The numbers are the settings' own, counted from the first database: a kitchen's Redis client adds
the offset of a shared Redis (ORDERUP_USE_REDIS) itself. The restaurant's settings are imported
when first asked for, never when labkit is imported (the kernel must first choose whose restaurant).
"""
from __future__ import annotations

BUZZ = "order.update"


def databases() -> dict[str, int]:
    from restaurant.settings import REDIS_DATABASES
    return dict(REDIS_DATABASES)


def database(hat: str) -> int:
    return databases()[hat]


def table_group(table: int) -> str:
    return f"table_{table}"
