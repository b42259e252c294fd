"""The Celery app: the kitchen's rule book. Workers start with `celery -A restaurant worker`.

Its settings are Django's, every name that starts with CELERY_ (broker, results, routes, ...), and
it finds each app's tasks.py by itself, and every module of restaurant/techniques/ (the lessons'
variations of the cook), which no list has to name.
"""
import os
import pkgutil
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "restaurant.settings")

app = Celery("restaurant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# and each module of the techniques package, by its name: related_name=None imports the module itself
folder = str(Path(__file__).resolve().parent / "techniques")
techniques = [module.name for module in pkgutil.iter_modules([folder], prefix="restaurant.techniques.")]
app.autodiscover_tasks(techniques, related_name=None)
