"""Watching the kitchen from inside: a task's own log lines, and counters kept by signal handlers.

`get_task_logger(__name__)` gives a logger whose lines the worker stamps with the task's name and
id (`restaurant.orders.monitoring.taste[<task id>]: tasting the soup`), so that one task's lines can
be found among thousands. Celery's signals call functions around every task the worker runs, in
the pool process that runs it; the handlers below count, per task, how many started and how each
ended, in Redis (the cache), where any program can read them. One of them, `count_garnished`, has a
bug: Celery catches what it raises and logs it, and the task it ran for still succeeds.

The worker connects the handlers when it imports this module: list it in CELERY_IMPORTS, or start
the worker with `celery -A restaurant worker --include=restaurant.orders.monitoring`.
"""
from celery import shared_task
from celery.signals import task_failure, task_postrun, task_prerun, task_success
from celery.utils.log import get_task_logger
from django.core.cache import cache

logger = get_task_logger(__name__)


@shared_task
def taste(dish: str, salty: bool = False) -> str:
    logger.info("tasting the %s", dish)
    if salty:
        logger.warning("the %s is too salty", dish)
        raise ValueError(f"{dish}: too salty")
    return f"{dish}: good"


def count(task_name: str, what: str) -> None:
    key = f"counts:{task_name}:{what}"
    cache.add(key, 0, timeout=None)
    cache.incr(key)


@task_prerun.connect
def count_started(sender=None, **kwargs):
    count(sender.name, "started")


@task_postrun.connect
def count_ended(sender=None, state=None, **kwargs):
    count(sender.name, state.lower())  # success, failure, retry


@task_failure.connect
def keep_last_failure(sender=None, task_id=None, exception=None, **kwargs):
    cache.set(f"counts:{sender.name}:last_failure", f"{task_id}: {exception!r}", timeout=None)


@shared_task
def garnish(dish: str) -> str:
    return f"{dish}: garnished"


@task_success.connect
def count_garnished(sender=None, result=None, **kwargs):
    """Count garnished dishes by name: a bug, since `garnish` returns a string, not a dict."""
    if sender.name == garnish.name:
        count(sender.name, result["dish"])  # a TypeError: the result is a string
