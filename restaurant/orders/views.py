"""The waiter: takes the order, spikes a ticket for the kitchen, and answers at once.

The waiter never cooks. `cook_order.delay(order.id)` does not run the task: it leaves one message
in Redis (an LPUSH onto the `celery` list) and returns. A worker, another program, picks it up.
"""
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from .models import Order
from .tasks import cook_order


@require_POST
def place_order(request):
    try:
        table = int(request.POST["table"])
    except (KeyError, ValueError):
        return JsonResponse({"error": "say which table: table=<number>"}, status=400)
    order = Order.objects.create(table=table, item=request.POST.get("item", "soup"))
    cook_order.delay(order.id)  # pass the id, not the object: the cook reads a fresh copy
    return JsonResponse(order.as_dict(), status=202)


@require_GET
def order_detail(request, order_id: int):
    return JsonResponse(get_object_or_404(Order, pk=order_id).as_dict())
