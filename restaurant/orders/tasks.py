"""The cook: tasks that a Celery worker runs, in its own process, when a ticket arrives.

When an order changes, the cook presses the table's buzzer: a message on the channel layer (Redis
again) to the group `table_<n>`, type `order.update`. Every consumer in that group runs its
`order_update()` method (consumers.py) and tells its browser. A customer who had logged in has a
group of their own as well, `user_<id>`.
"""
import time

from asgiref.sync import async_to_sync
from celery import shared_task
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import Order


@shared_task
def cook_order(order_id: int, cook_seconds: float | None = None) -> dict:
    Order.objects.filter(pk=order_id).update(times_cooked=F("times_cooked") + 1)
    order = Order.objects.get(pk=order_id)  # a fresh copy from the database, not the waiter's
    order.status = Order.Status.COOKING
    order.cooking_at = timezone.now()
    order.save(update_fields=["status", "cooking_at"])
    buzz(order)

    time.sleep(settings.COOK_SECONDS if cook_seconds is None else cook_seconds)

    order.status = Order.Status.READY
    order.ready_at = timezone.now()
    order.save(update_fields=["status", "ready_at"])
    buzz(order)
    return order.as_dict()


@shared_task
def send_confirmation(order_id: int) -> str:
    """Tell the customer the order is in (an e-mail, a text message): reads the order, changes nothing."""
    order = Order.objects.get(pk=order_id)
    return f"table {order.table}: your {order.item} is on its way"


def buzz(order: Order) -> None:
    """Tell every buzzer of the order's table what state the order is in, and the customer's own
    buzzer too (group `user_<id>`), wherever they sit, if they had logged in."""
    channel_layer = get_channel_layer()
    message = {"type": "order.update", "order": order.as_dict()}
    async_to_sync(channel_layer.group_send)(f"table_{order.table}", message)
    if order.customer_id:
        async_to_sync(channel_layer.group_send)(f"user_{order.customer_id}", message)
