"""The card gateway: an outside service the cashier calls. Ours is simulated, and flaky on purpose.

It counts attempts per order in Redis (the cache, database 3), so every worker process sees the
same count: the first ``fail_first`` attempts for an order time out, later ones go through.
"""
from django.core.cache import cache


class GatewayTimeout(Exception):
    """The gateway did not answer in time: a transient failure, worth retrying."""


def attempts_key(order_id: int) -> str:
    return f"gateway:attempts:order:{order_id}"


def charge(order_id: int, amount_cents: int, fail_first: int = 0) -> int:
    """Take the money, or raise GatewayTimeout. Returns the attempt number that went through."""
    cache.add(attempts_key(order_id), 0, timeout=3600)
    attempt = cache.incr(attempts_key(order_id))
    if attempt <= fail_first:
        raise GatewayTimeout(f"attempt {attempt}: no answer from the card gateway")
    return attempt
