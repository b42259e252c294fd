"""The waiter: takes the order, spikes a ticket for the kitchen, and answers at once.

The waiter never cooks. `cook_order.delay(order.id)` does not run the task: it leaves one message
in Redis (an LPUSH onto the `celery` list) and returns. A worker, another program, picks it up.

`place_order_inline` is the waiter who cooks: lesson 01 measures why nobody should hire him.
`table_page` is the page a customer keeps open at table N (lesson 09); `kitchen_display`, the page
the kitchen's staff keep open, where the tables' messages appear.
"""
from django.conf import settings
from django.contrib.auth.decorators import user_passes_test
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .models import Order
from .tasks import cook_order


def _new_order(request) -> Order | None:
    try:
        table = int(request.POST["table"])
    except (KeyError, ValueError):
        return None
    customer = request.user if request.user.is_authenticated else None  # AuthenticationMiddleware
    return Order.objects.create(table=table, item=request.POST.get("item", "soup"), customer=customer)


@ensure_csrf_cookie  # a GET hands out the CSRF cookie that a POST must send back
@require_http_methods(["GET", "POST"])
def orders(request):
    """GET: the latest orders. POST table=<n>&item=<name>: place an order."""
    if request.method == "GET":
        return JsonResponse({"orders": [o.as_dict() for o in Order.objects.order_by("-id")[:20]]})
    order = _new_order(request)
    if order is None:
        return JsonResponse({"error": "say which table: table=<number>"}, status=400)
    cook_order.delay(order.id)  # pass the id, not the object: the cook reads a fresh copy
    return JsonResponse(order.as_dict(), status=202)


@require_POST
def place_order_inline(request):
    """The waiter who cooks: runs the task's code right here, in the request, and makes you wait."""
    order = _new_order(request)
    if order is None:
        return JsonResponse({"error": "say which table: table=<number>"}, status=400)
    cook_order(order.id)  # a plain function call: no message, no worker, the request waits
    order.refresh_from_db()
    return JsonResponse(order.as_dict(), status=201)


@require_GET
def order_detail(request, order_id: int):
    return JsonResponse(get_object_or_404(Order, pk=order_id).as_dict())


@ensure_csrf_cookie  # the page's form posts to orders/, which wants the CSRF cookie
@require_GET
def table_page(request, table: int):
    """Table N's page: a form to order, and a status line that only the buzzer (a WebSocket) updates."""
    return render(request, "orders/table.html", {"table": table, "cook_seconds": settings.COOK_SECONDS})


@user_passes_test(lambda user: user.is_staff)  # anyone else is sent to accounts/login/ first
@require_GET
def kitchen_display(request):
    """The kitchen's page: what the tables say, live, on a WebSocket of its own (ws/kitchen/)."""
    return render(request, "orders/kitchen.html")


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: Django refused a POST (no CSRF cookie, or an Origin it does not trust).
    Answer in JSON with Django's reason, so the page can say why instead of doing nothing."""
    return JsonResponse({"error": f"refused by Django's CSRF check: {reason}"}, status=403)

