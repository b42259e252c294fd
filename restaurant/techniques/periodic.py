"""Tickets that beat drops on the rail on a schedule (settings.CELERY_BEAT_SCHEDULE, lesson 07)."""
from celery import shared_task
from django.core.cache import cache


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
