"""Prep work: dishes that keep a cook's hands busy, dishes that only wait, long and short dishes.

knead_dough is CPU-bound: pure Python arithmetic, the processor busy all the time.
wait_for_delivery is I/O-bound: the cook waits for another server to answer (time.sleep stands
for the network call here), and the processor has nothing to do meanwhile.
"""
import time

from celery import shared_task


@shared_task
def knead_dough(turns: int = 5_000_000) -> int:
    folds = 0
    for turn in range(turns):
        folds += turn % 7
    return folds


@shared_task
def wait_for_delivery(seconds: float = 0.5) -> str:
    time.sleep(seconds)
    return "delivered"


@shared_task(bind=True, acks_late=True)
def cook_dish(self, seconds: float) -> str:
    """A dish that takes ``seconds``; the answer is the cook who made it."""
    time.sleep(seconds)
    return self.request.hostname
