"""The cashier's tasks: charging a card, which can fail (lesson 04) and must never happen twice
for one order, although Celery delivers a ticket at least once (lesson 06)."""
import time

from celery import shared_task
from django.core.cache import cache
from django.db import IntegrityError, transaction

from . import gateway
from .models import Charge

PRICE_CENTS = 1250


# --- lesson 04: when the gateway fails, try again --------------------------------------------------

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


# --- lesson 06: the same ticket, delivered twice ----------------------------------------------------
# Each charge talks to the gateway (``pause``), records the money taken, then prints the receipt
# (``receipt_seconds``). They acknowledge late, as money-moving tasks should: a crash while the
# receipt prints means the ticket is delivered again, and the charge runs a second time.

def _take_money(order_id: int, pause: float, idempotency_key: str | None = None) -> Charge:
    time.sleep(pause)  # the gateway takes a moment to answer
    return Charge.objects.create(order_id=order_id, amount_cents=PRICE_CENTS, idempotency_key=idempotency_key)


@shared_task(acks_late=True)
def charge_naive(order_id: int, pause: float = 0.3, receipt_seconds: float = 0) -> str:
    """Charges every time it runs."""
    _take_money(order_id, pause)
    time.sleep(receipt_seconds)
    return "charged"


@shared_task(acks_late=True)
def charge_check_then_act(order_id: int, pause: float = 0.3, receipt_seconds: float = 0) -> str:
    """Looks first, then charges: two copies running at once both look before either charges."""
    if Charge.objects.filter(order_id=order_id).exists():
        return "already charged"
    _take_money(order_id, pause)
    time.sleep(receipt_seconds)
    return "charged"


@shared_task(acks_late=True)
def charge_idempotent(order_id: int, pause: float = 0.3, receipt_seconds: float = 0) -> str:
    """Claims the order first: Redis SET NX lets exactly one caller ever win the key."""
    if not cache.add(f"charge:order:{order_id}", "claimed", timeout=24 * 3600):  # SET key value NX EX
        return "already charged"
    _take_money(order_id, pause)
    time.sleep(receipt_seconds)
    return "charged"


@shared_task(acks_late=True)
def charge_unique_key(order_id: int, pause: float = 0.3, receipt_seconds: float = 0) -> str:
    """Lets the database refuse a second charge with the same idempotency key."""
    try:
        with transaction.atomic():
            _take_money(order_id, pause, idempotency_key=f"order-{order_id}")
    except IntegrityError:
        return "already charged"
    time.sleep(receipt_seconds)
    return "charged"
