"""A charge: money taken from a customer's card for an order. Taking it twice is the bug."""
from django.db import models


class Charge(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="charges")
    amount_cents = models.PositiveIntegerField()
    # The same key twice is refused by the database itself: one way to make charging idempotent.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"charge {self.id}: {self.amount_cents / 100:.2f} for order {self.order_id}"
