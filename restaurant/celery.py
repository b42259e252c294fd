"""The Celery app: the kitchen's rule book. The worker is started with `celery -A restaurant worker`.

Its settings come from Django's settings, every name that starts with CELERY_ (broker, results, ...).
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "restaurant.settings")

app = Celery("restaurant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # finds restaurant/orders/tasks.py
