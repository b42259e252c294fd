"""A station of its own (lesson 11): settings.CELERY_TASK_ROUTES sends desserts to the queue "pastry"."""
from celery import shared_task


@shared_task(bind=True)
def bake_dessert(self, dessert: str) -> str:
    """Only a worker that listens to "pastry" bakes; it signs the dessert with its name."""
    return f"{dessert}, baked by {self.request.hostname.split('@')[0]}"
