"""What a ticket costs (lesson 02): a task that does nothing, so a timing measures the ticket alone."""
from celery import shared_task


@shared_task
def noop() -> None:
    """Does nothing."""
