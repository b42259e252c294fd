"""The same charge, delivered twice (lesson 06): a ticket can run twice (a redelivery after a crash,
a retried publish, a double click), and each of these charges survives that differently.

Each asks the card gateway for the money (it answers after ``pause``), records the charge, then
prints the receipt (``receipt_seconds``). They acknowledge late, as money-moving tasks should: a crash while the
receipt prints means the ticket is delivered again, and the charge runs a second time.
"""
import time

from celery import shared_task
from django.core.cache import cache
from django.db import IntegrityError, transaction

from restaurant.payments import gateway
from restaurant.payments.models import Charge
from restaurant.payments.tasks import PRICE_CENTS


def _take_money(order_id: int, pause: float, idempotency_key: str | None = None) -> Charge:
    time.sleep(pause)  # the gateway takes a moment to answer
    gateway.charge(order_id, PRICE_CENTS)  # the card is charged here
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
