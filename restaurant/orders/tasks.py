"""The cook: tasks that a Celery worker runs, in its own process, when a ticket arrives.

When an order changes, the cook presses the table's buzzer: a message on the channel layer
(Redis again) to the group `table_<n>`, type `order.update` (settings BUZZ_GROUP and BUZZ_TYPE).
Every consumer in that group runs its `order_update()` method and tells its browser.
"""
import time

from asgiref.sync import async_to_sync
from celery import shared_task
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from . import trace
from .models import Order


def buzz(order: Order) -> None:
    """Tell every buzzer of the order's table what state the order is in."""
    layer, group = get_channel_layer(), settings.BUZZ_GROUP.format(table=order.table)
    sent_at = time.time()
    # the trail notes where the buzz went: lesson 10 checks it against where the buzzers listen
    trace.mark(order.id, f"cook: buzzer pressed ({order.status})", at=sent_at,
               group=group, type=settings.BUZZ_TYPE, layer=type(layer).__name__)
    async_to_sync(layer.group_send)(
        group, {"type": settings.BUZZ_TYPE, "order": order.as_dict(), "sent_at": sent_at}
    )


@shared_task
def cook_order(order_id: int, cook_seconds: float | None = None) -> dict:
    trace.mark(order_id, "cook: ticket picked up")
    Order.objects.filter(pk=order_id).update(times_cooked=F("times_cooked") + 1)
    order = Order.objects.get(pk=order_id)  # a fresh copy from the database, not the waiter's
    order.status = Order.Status.COOKING
    order.cooking_at = timezone.now()
    order.save(update_fields=["status", "cooking_at"])
    buzz(order)

    time.sleep(settings.COOK_SECONDS if cook_seconds is None else cook_seconds)
    trace.mark(order_id, "cook: order cooked")

    order.status = Order.Status.READY
    order.ready_at = timezone.now()
    order.save(update_fields=["status", "ready_at"])
    buzz(order)
    return order.as_dict()


# Lesson 05: the same cooking, acknowledged at different moments.
@shared_task(acks_late=True)
def cook_order_acks_late(order_id: int, cook_seconds: float | None = None) -> dict:
    """Acknowledges the ticket when cooking is done, not when it starts."""
    return cook_order.run(order_id, cook_seconds)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def cook_order_reject_on_worker_lost(order_id: int, cook_seconds: float | None = None) -> dict:
    """Late ack, and if the pool process dies mid-task, the ticket goes back on the rail."""
    return cook_order.run(order_id, cook_seconds)


# Lesson 07: tickets that beat drops on the rail on a schedule.
@shared_task(bind=True)
def ring_bell(self) -> str:
    """Ring the kitchen bell, and count the ring under the name of the scheduler that asked."""
    sender = self.request.origin or "unknown"  # gen<pid>@<host> of the process that sent the ticket
    cache.add(f"bell:rings:{sender}", 0, timeout=3600)
    cache.incr(f"bell:rings:{sender}")
    return sender


@shared_task
def post_lunch_specials() -> str:
    return "today: soup and pancakes"


# Lesson 11: a dish in steps (canvas). Each step is a task of its own; chain, group and chord
# decide who runs next and who waits for whom.
@shared_task
def prep(dish: str) -> str:
    return f"{dish}, chopped"


@shared_task
def fry(food: str, seconds: float = 0.0) -> str:
    time.sleep(seconds)
    return f"{food}, fried"


@shared_task
def plate(food: str) -> str:
    return f"{food}, plated"


@shared_task
def serve(plates: list[str], table: int) -> str:
    """A chord's callback: runs once, when every plate of the table is ready."""
    return f"table {table}: " + " + ".join(plates)


@shared_task(bind=True)
def bake_dessert(self, dessert: str) -> str:
    """Routed to the "pastry" queue (settings.CELERY_TASK_ROUTES): only the pastry station bakes."""
    return f"{dessert}, baked by {self.request.hostname.split('@')[0]}"


@shared_task
def noop() -> None:
    """Does nothing: lessons time what it costs to send a ticket, not to cook it."""
