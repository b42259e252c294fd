"""The clinic's Celery app. Start a worker with `celery -A config worker`.

It reads every Django setting that starts with CELERY_ and finds each installed app's tasks.py.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
