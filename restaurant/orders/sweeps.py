"""The sweep: orders that were saved, and whose ticket never reached the rail.

The waiter saves the order, then sends its ticket. If Redis is down in between (lesson 04), the
order is in the database and no cook will ever hear of it. Beat runs this sweep every few minutes
(CELERY_BEAT_SCHEDULE): it finds the orders still "received" well after they were taken, and sends
their tickets again.

An order that waits in a long queue looks the same, so the sweep can send it a second ticket: the
cut-off must be longer than any normal wait, and the cook safe to run twice (lesson 06).
"""
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import Order
from .tasks import cook_order

logger = logging.getLogger(__name__)


@shared_task
def resend_lost_tickets() -> list[int]:
    """Send a ticket again for every order no cook has started LOST_TICKET_AFTER seconds after it was taken."""
    taken_before = timezone.now() - timedelta(seconds=settings.LOST_TICKET_AFTER)
    lost = Order.objects.filter(status=Order.Status.RECEIVED, times_cooked=0, created_at__lt=taken_before)
    order_ids = list(lost.values_list("id", flat=True))
    for order_id in order_ids:
        logger.warning("order %s: no cook started it in %s s, its ticket is sent again",
                       order_id, settings.LOST_TICKET_AFTER)
        cook_order.delay(order_id)
    return order_ids
