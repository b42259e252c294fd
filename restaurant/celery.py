"""The Celery app: the kitchen's rule book. Workers start with `celery -A restaurant worker`.

Its settings are Django's, every name that starts with CELERY_ (broker, results, routes, ...), and
it finds each app's tasks.py by itself.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "restaurant.settings")

app = Celery("restaurant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
