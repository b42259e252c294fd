"""The cashier's tasks: charging a card, through a gateway that can fail. When it does, try again.

Charging twice for one order is the other danger: restaurant/techniques/idempotency.py."""
from celery import shared_task

from . import gateway
from .models import Charge

PRICE_CENTS = 1250


@shared_task(bind=True, max_retries=3)
def charge_card(self, order_id: int, fail_first: int = 0) -> dict:
    """Retry by hand: self.retry() sends a new ticket for the same task, with a countdown."""
    try:
        attempt = gateway.charge(order_id, PRICE_CENTS, fail_first)
    except gateway.GatewayTimeout as exc:
        raise self.retry(exc=exc, countdown=0.5)
    charge = Charge.objects.create(order_id=order_id, amount_cents=PRICE_CENTS)
    return {"charge": charge.id, "attempt": attempt}


@shared_task(autoretry_for=(gateway.GatewayTimeout,), retry_backoff=1, retry_backoff_max=4,
             retry_jitter=False, max_retries=3)
def charge_card_autoretry(order_id: int, fail_first: int = 0) -> dict:
    """The same, declared: retry on GatewayTimeout after 1 s, then 2 s, then 4 s (no jitter)."""
    attempt = gateway.charge(order_id, PRICE_CENTS, fail_first)
    charge = Charge.objects.create(order_id=order_id, amount_cents=PRICE_CENTS)
    return {"charge": charge.id, "attempt": attempt}
