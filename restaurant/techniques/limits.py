"""Supplies: the kitchen orders flour and oil from its supplier, over the network, and that can hang.

A call that hangs holds a cook (a pool process) for as long as it hangs (`restock_without_limit`
shows it), so the other tasks have time limits (task options; CELERY_TASK_SOFT_TIME_LIMIT and
CELERY_TASK_TIME_LIMIT set them for every task):
- `soft_time_limit`: Celery raises SoftTimeLimitExceeded inside the task, which can clean up;
- `time_limit`: Celery kills the pool process running the task, which fails with TimeLimitExceeded.
The worker enforces them with signals to its pool processes: the prefork pool does, threads and solo do not.

`rate_limit` spaces the start of each task out, as the supplier asks ("at most 4 calls a second"),
counted by each worker for itself.
"""
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded


def call_supplier(item: str, answer_after: float) -> str:
    """The supplier's answer: in a real kitchen `requests.post(SUPPLIER_URL, ...)`, here a wait."""
    time.sleep(answer_after)
    return f"{item}: delivered tomorrow"


@shared_task
def restock_without_limit(item: str, answer_after: float = 0.1) -> str:
    """No limit at all: the call holds its cook (a pool process) for as long as the supplier takes."""
    return call_supplier(item, answer_after)


@shared_task(soft_time_limit=1, time_limit=3)
def restock(item: str, answer_after: float = 0.1) -> str:
    try:
        return call_supplier(item, answer_after)
    except SoftTimeLimitExceeded:
        return f"{item}: no answer within 1 s, ordered from the market instead"


@shared_task(time_limit=2)
def count_stock(answer_after: float = 0.1) -> str:
    """No soft limit: past 2 s the pool process is killed, and the task cannot clean up."""
    return call_supplier("the stock list", answer_after)


@shared_task(rate_limit="4/s")
def ask_price(item: str) -> str:
    return call_supplier(item, 0)
