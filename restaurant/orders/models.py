"""An order: which table asked for what, and how far the kitchen has got."""
from django.conf import settings
from django.db import models


class Order(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received"  # the waiter wrote the ticket
        COOKING = "cooking"    # a cook picked it up
        READY = "ready"        # order up!

    table = models.PositiveSmallIntegerField()
    item = models.CharField(max_length=100)
    # who ordered, if they had logged in: their own buzzer hears the order wherever they sit
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="orders")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    # when each status was reached, each written by the program that did the work
    created_at = models.DateTimeField(auto_now_add=True)          # the waiter (web process)
    cooking_at = models.DateTimeField(null=True, blank=True)      # the cook (worker)
    ready_at = models.DateTimeField(null=True, blank=True)        # the cook (worker)
    # how many times a cook started on it: more than once means the ticket was delivered again
    times_cooked = models.PositiveIntegerField(default=0)

    def as_dict(self) -> dict:
        return {"id": self.id, "table": self.table, "item": self.item, "status": self.status}

    def __str__(self) -> str:
        return f"order {self.id}: {self.item} for table {self.table} ({self.status})"
