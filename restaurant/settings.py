"""Django settings for the restaurant.

Every program of the restaurant reads this one file: the web process (the waiter), the Celery
workers (the cooks) and Daphne's consumers (the buzzers). They share no memory; they share Redis,
which wears four hats here, one database each (REDIS_DATABASES).

The course runs these settings through restaurant/classroom/settings.py, which points them at the
Redis and the folder of each notebook's kernel. Everything below is what a project of your own has.
"""
import os
from pathlib import Path

from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-the-restaurant-is-a-classroom")
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",          # customers and staff, and who is logged in
    "django.contrib.contenttypes",  # which auth's permissions need
    "django.contrib.sessions",      # the session behind the browser's sessionid cookie
    "channels",
    "restaurant.orders",
    "restaurant.payments",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",  # request.user, from the session
]
ROOT_URLCONF = "restaurant.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
}]
ASGI_APPLICATION = "restaurant.asgi.application"
LOGIN_REDIRECT_URL = "orders"  # where accounts/login/ sends a customer who has logged in
# a refused POST answers in JSON with Django's reason, which the table's page shows
CSRF_FAILURE_VIEW = "restaurant.orders.views.csrf_failure"

# SQLite, shared by the web process and the workers: WAL lets readers and a writer work at once,
# IMMEDIATE transactions wait for the write lock instead of failing with "database is locked".
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# Redis: one server, four hats, one database each
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DATABASES = {"broker": 0, "results": 1, "channel layer": 2, "cache": 3}

# --- Celery: the ticket rail and the cooks (restaurant/celery.py reads every CELERY_ setting) -------
CELERY_BROKER_URL = f"{REDIS_URL}/{REDIS_DATABASES['broker']}"
CELERY_RESULT_BACKEND = f"{REDIS_URL}/{REDIS_DATABASES['results']}"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Task modules besides each app's tasks.py (Celery finds those, and the lessons' techniques:
# restaurant/celery.py): the sweep that re-sends orders whose ticket was lost.
CELERY_IMPORTS = ["restaurant.orders.sweeps"]
# With Redis down, .delay() first tries to subscribe to the result's channel; Celery's default
# reconnect policy retries 20 times, a second apart, so a waiter would hang ~20 s before failing.
# Three quick tries instead: the customer gets an error page in about a second.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 3, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
}
# A ticket a worker took but never acknowledged goes back on the rail after visibility_timeout
# seconds (kombu's default: one hour); workers look for such tickets every restore interval x
# throttle seconds (10 x 10 s by default).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# stations: desserts go on a rail of their own, "pastry", which only a worker started with
# `--queues=pastry` takes from. Every other task goes on the default rail, "celery".
CELERY_TASK_ROUTES = {"restaurant.techniques.queues.bake_dessert": {"queue": "pastry"}}
# beat's schedule: which tickets to drop on the rail, and when. Beat only schedules; a worker executes.
CELERY_BEAT_SCHEDULE = {
    "ring-the-bell": {"task": "restaurant.techniques.periodic.ring_bell", "schedule": 1.0},
    "lunch-specials": {
        "task": "restaurant.techniques.periodic.post_lunch_specials",
        "schedule": crontab(minute=0, hour=11),  # every day at 11:00 (UTC)
    },
    "resend-lost-tickets": {"task": "restaurant.orders.sweeps.resend_lost_tickets", "schedule": 300.0},
}

# --- Channels: the pass, where the cook presses a table's buzzer ------------------------------------
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # a consumer waits for messages with BZPOPMIN (5 s at a time); redis-py 8 gives each connection a
        # 5 s socket_timeout, which killed idle consumers: no timeout, as before (channels_redis #422)
        "CONFIG": {"hosts": [{"address": f"{REDIS_URL}/{REDIS_DATABASES['channel layer']}", "socket_timeout": None}]},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"{REDIS_URL}/{REDIS_DATABASES['cache']}",
    }
}

# --- the kitchen --------------------------------------------------------------------------------------
COOK_SECONDS = 1.0  # how long the cook takes for one order
LOST_TICKET_AFTER = 600  # seconds: an order no cook has started by then lost its ticket (sweeps.py)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"restaurant": {"handlers": ["console"], "level": "INFO"}},
}

# --- Django's own tasks (lesson 30): the cook again, without Celery -----------------------------------
# django.tasks is Django 6.0's; on Django 5.2 the same API is its backport, django_tasks. The database
# backend keeps each task as a row of this project's database; `manage.py db_worker` runs them.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
