"""Settings every environment shares. What changes from one machine to another comes from the
environment (README.md lists the variables): the Redis server, the secret key, the host names, the
database file and the lab analyser's token."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [host for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if host]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "channels",
    "appointments",
    "results",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "config.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
}]
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"),
        "ATOMIC_REQUESTS": True,  # each view runs in a transaction, committed when it returns
        # the web server and the worker write at the same time: wait for the lock, don't fail
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

DEFAULT_FROM_EMAIL = "reminders@clinic.example"
LAB_API_TOKEN = os.environ.get("LAB_API_TOKEN", "")  # what the lab's analyser sends (results/views.py)

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

# Celery: config/celery.py reads every setting that starts with CELERY_
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ROUTES = {
    "appointments.tasks.*": {"queue": "reminders"},
}
CELERY_BEAT_SCHEDULE = {
    "send-due-reminders": {"task": "appointments.tasks.send_due_reminders", "schedule": 60.0},
}

# Channels: the layer the worker sends through and the consumers listen on
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # a consumer waits for messages 5 s at a time; redis-py 8's 5 s socket timeout would cut it
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
    }
}
