"""The cook again, as a task of Django's own tasks framework (lesson 30): `django.tasks` in Django
6.0, its backport `django_tasks` on Django 5.2. The same dish as tasks.cook_order, whose code it
calls as a plain function; sent with `.enqueue()` instead of `.delay()`, kept as a row of the
project's database (settings.TASKS), and run by `python manage.py db_worker`, not a Celery worker.
"""
from django_tasks import task

from . import tasks


@task()
def cook_order(order_id: int, cook_seconds: float | None = None) -> dict:
    return tasks.cook_order(order_id, cook_seconds)  # calling a Celery task runs it here, now
