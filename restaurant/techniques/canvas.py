"""A dish in steps (lesson 11). Each step is a task of its own; canvas (chain, group, chord) decides
who runs next and who waits for whom."""
import time

from celery import shared_task


@shared_task
def prep(dish: str) -> str:
    return f"{dish}, chopped"


@shared_task
def fry(food: str, seconds: float = 0.0) -> str:
    time.sleep(seconds)
    return f"{food}, fried"


@shared_task
def plate(food: str) -> str:
    return f"{food}, plated"


@shared_task
def serve(plates: list[str], table: int) -> str:
    """A chord's callback: runs once, when every plate of the table is ready."""
    return f"table {table}: " + " + ".join(plates)
