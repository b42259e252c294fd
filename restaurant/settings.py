"""Settings for the restaurant. Every program (kernel, worker, beat, Daphne) reads the same file.

labkit starts Redis and passes its address to every program in the environment:
    ORDERUP_REDIS_URL   redis://:password@127.0.0.1:port   (no database number)
    ORDERUP_RUN_DIR     the folder of this run (SQLite database, logs)
Redis wears several hats, one database each (see REDIS_DATABASES).
"""
import os
from pathlib import Path

from celery.schedules import crontab

from restaurant.hosts import LOCAL_HOSTS, hub_hosts, trusted_origins

BASE_DIR = Path(__file__).resolve().parent
RUN_DIR = Path(os.environ.get("ORDERUP_RUN_DIR", BASE_DIR.parent / ".orderup"))

# The web processes' door key (restaurant/door.py): labkit makes one per run. Empty: no door.
DOOR_KEY = os.environ.get("ORDERUP_DOOR_KEY", "")
SECRET_KEY = os.environ.get("ORDERUP_SECRET_KEY", "orderup-classroom-only-not-a-secret")
DEBUG = os.environ.get("ORDERUP_DEBUG", "1") == "1"

# Hosts the waiter answers for, and the Origins a buzzer's WebSocket may come from (asgi.py).
# Behind jupyter-server-proxy (Binder, JupyterHub) the browser's Host is the hub's: hosts.py reads
# it from the hub's environment (or ORDERUP_ALLOWED_HOSTS) instead of turning the check off.
HUB_HOSTS = hub_hosts(os.environ)
ALLOWED_HOSTS = LOCAL_HOSTS + ["testserver"] + HUB_HOSTS
CSRF_TRUSTED_ORIGINS = trusted_origins(os.environ)
# a refused POST answers in JSON with Django's reason, which the table's page shows
CSRF_FAILURE_VIEW = "restaurant.orders.views.csrf_failure"

INSTALLED_APPS = [
    "channels",
    "restaurant.orders",
    "restaurant.payments",
]
MIDDLEWARE = [
    "restaurant.door.door_key_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "restaurant.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
}]
ASGI_APPLICATION = "restaurant.asgi.application"

# SQLite shared by the kernel, the worker and Daphne: WAL lets readers and a writer work at once,
# IMMEDIATE transactions wait for the write lock instead of failing with "database is locked".
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": RUN_DIR / "restaurant.sqlite3",
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

# --- Redis, four hats -----------------------------------------------------------------------
REDIS_URL = os.environ.get("ORDERUP_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DATABASES = {"broker": 0, "results": 1, "channel layer": 2, "cache": 3}
# On a Redis shared with others (ORDERUP_USE_REDIS), the four databases start further up.
FIRST_DB = int(os.environ.get("ORDERUP_REDIS_FIRST_DB", "0"))


def redis_database(hat: str) -> str:
    return f"{REDIS_URL}/{FIRST_DB + REDIS_DATABASES[hat]}"


# the ticket rail: Celery's broker (a Redis list per queue) and its result backend.
# ORDERUP_BROKER_URL puts the rail somewhere else (lesson 11: RabbitMQ); results stay in Redis.
CELERY_BROKER_URL = os.environ.get("ORDERUP_BROKER_URL") or redis_database("broker")
CELERY_RESULT_BACKEND = redis_database("results")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# With Redis down, .delay() first tries to subscribe to the result's channel; Celery's default
# reconnect policy retries 20 times, a second apart, so a waiter would hang ~20 s before failing.
# Three quick tries instead: the customer gets an error page in about a second (lesson 04).
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 3, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
}
# A ticket a worker took but never acknowledged goes back on the rail after visibility_timeout
# seconds (1 hour by default); workers look for such tickets every restore interval x throttle
# seconds (100 s by default). Lesson 05 shortens all three to see redelivery in seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("ORDERUP_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": int(os.environ.get("ORDERUP_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": int(os.environ.get("ORDERUP_RESTORE_THROTTLE", "10")),
}

# stations (lesson 11): desserts go on a rail of their own, "pastry", which only a worker started
# with `--queues=pastry` takes from. Every other task goes on the default rail, "celery".
CELERY_TASK_ROUTES = {"restaurant.orders.tasks.bake_dessert": {"queue": "pastry"}}

# beat's schedule: which tickets to drop on the rail, and when (lesson 07). Beat only schedules;
# a worker executes. ORDERUP_BELL_SECONDS sets the bell's interval.
CELERY_BEAT_SCHEDULE = {
    "ring-the-bell": {
        "task": "restaurant.orders.tasks.ring_bell",
        "schedule": float(os.environ.get("ORDERUP_BELL_SECONDS", "1.0")),
    },
    "lunch-specials": {
        "task": "restaurant.orders.tasks.post_lunch_specials",
        "schedule": crontab(minute=0, hour=11),  # every day at 11:00 (UTC)
    },
}

# the pass: Channels' layer, where the cook presses a table's buzzer. ORDERUP_CHANNEL_LAYER=memory
# swaps in the in-memory layer, which lives inside one process: lessons 08 and 10 show it failing
# to carry a buzz from the worker to Daphne.
if os.environ.get("ORDERUP_CHANNEL_LAYER") == "memory":
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_database("channel layer")]},
        }
    }
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_database("cache"),
    }
}

# --- the kitchen --------------------------------------------------------------------------------
# How long the cook takes for one order, in seconds (short, so lessons stay fast).
COOK_SECONDS = float(os.environ.get("ORDERUP_COOK_SECONDS", "1.0"))

# The buzzer's group and message type: the cook (worker) sends to them, the consumer (Daphne) joins
# and handles them. Two processes, one setting each: when their settings disagree (a typo in one
# process's environment, a stale deploy), the relay breaks. Lesson 10 breaks it that way on purpose.
BUZZ_GROUP = os.environ.get("ORDERUP_BUZZ_GROUP", "table_{table}")
BUZZ_TYPE = os.environ.get("ORDERUP_BUZZ_TYPE", "order.update")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"restaurant": {"handlers": ["console"], "level": "INFO"}},
}
