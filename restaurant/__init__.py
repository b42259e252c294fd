"""The restaurant: a Django project whose programs talk only through Redis.

Importing the package loads the Celery app, so `@shared_task` functions bind to it in every
process (the web process that enqueues and the worker that executes).
"""
from .celery import app as celery_app

__all__ = ["celery_app"]
