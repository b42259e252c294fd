"""The restaurant's settings in production: restaurant/settings.py, and on top of it what the
production lessons argue for, each with the lesson that shows why.

Every program reads them when started with DJANGO_SETTINGS_MODULE=restaurant.production, as
deploy/supervisor/worker.conf, beat.conf and daphne.conf (and the systemd units and Compose file
beside them) start them.
The early lessons run restaurant/settings.py alone: the restaurant as the blog post builds it.
"""
import os

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from restaurant.settings import *  # noqa: F401,F403
from restaurant.settings import BASE_DIR, CHANNEL_LAYERS, DATABASES, LOGGING

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
DATABASES = {"default": {**DATABASES["default"], "NAME": os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3")}}

# --- the cook ---------------------------------------------------------------------------------------
# Lesson 05: acknowledge a ticket once the dish is done, not when the cook picks it up, and give it
# back if the worker's process dies mid-dish: a crash or a kill loses no order (a dish may then be
# cooked twice, which the cook must allow: lesson 06).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Lesson 21: one ticket per pool process at a time, so short dishes wait on the rail, where any idle
# cook can take them, not behind a long dish in a busy worker's hands.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Lesson 16: no dish runs forever. The soft limit raises SoftTimeLimitExceeded in the task; the hard
# limit kills its pool process. The longest dish takes seconds; a minute means something hangs.
CELERY_TASK_SOFT_TIME_LIMIT = 50
CELERY_TASK_TIME_LIMIT = 60
# Lesson 17: a pool process that grows with every task is replaced, after 1000 tasks or once a task
# took it past 200 MB.
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 200_000  # KiB
# Lesson 19: a cold shutdown (SIGQUIT) still waits 10 s for the dishes in hand; the warm one (SIGTERM,
# what supervisor sends) waits for them all, within the process manager's grace period
# (stopwaitsecs in deploy/supervisor/worker.conf: longer than the hard time limit).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 10
# --- the pass -----------------------------------------------------------------------------------------
# Lesson 26: a rush of buzzes past `capacity` is dropped without an error: room for a full dining room
# at once. A buzz older than `expiry` seconds is dropped too: a page that reconnects reads its order
# again (lesson 25), so a stale buzz is worth nothing. Every program gets the same (the sender's
# capacity is the one that counts).
# Lesson 04: a call out that fails for a moment is tried again, further apart each time. The cook's
# call out is its buzz; a Celery retry would cook the whole dish again (lesson 06), so the buzz's own
# Redis connection tries again (redis-py's Retry): 8 times, 0.2 s apart and doubling up to 1 s, at least
# 6 s for a restarting Redis to come back before a command of the buzz fails.
_PASS = CHANNEL_LAYERS["default"]["CONFIG"]
CHANNEL_LAYERS = {"default": {**CHANNEL_LAYERS["default"], "CONFIG": {
    **_PASS, "capacity": 300, "expiry": 30,
    "hosts": [{**host, "retry": Retry(ExponentialBackoff(cap=1, base=0.1), 8)} for host in _PASS["hosts"]]}}}
# --- the waiter ---------------------------------------------------------------------------------------
# Lesson 15: a ticket sent inside an open transaction can reach the cook before its order is committed.
# The waiter (orders/views.py) creates the order, committed at once, and then calls .delay(): Django's
# default autocommit, kept here (no ATOMIC_REQUESTS). Turning ATOMIC_REQUESTS on wraps the view in a
# transaction; the waiter must then send with .delay_on_commit() (lesson 15's fix).
# --- the log --------------------------------------------------------------------------------------------
# Lesson 20: a line the worker logs inside a task carries the task's name and id, so that one order's
# lines can be found among thousands (get_task_logger does it for a task's own logger). Celery's
# TaskFormatter does it for every logger of the restaurant ("???" outside a task): the sweep's
# warnings (orders/sweeps.py) say which run of the sweep sent a ticket again.
LOGGING = {**LOGGING,
           "formatters": {**LOGGING.get("formatters", {}), "with_task": {
               "()": "celery.app.log.TaskFormatter", "use_color": False,
               "fmt": "[%(asctime)s: %(levelname)s] %(name)s %(task_name)s[%(task_id)s]: %(message)s"}},
           "handlers": {**LOGGING["handlers"], "console": {**LOGGING["handlers"]["console"], "formatter": "with_task"}},
           # its own handler writes the line: not a second time through the worker's (Celery's root logger)
           "loggers": {**LOGGING["loggers"], "restaurant": {**LOGGING["loggers"]["restaurant"], "propagate": False}}}
