"""Every wait in the course is on a condition, with a timeout: never a fixed sleep."""
from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float = 10.0, what: str = "a condition",
               interval: float = 0.02):
    """Poll ``condition`` until it returns something truthy (and return that); TimeoutError after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout:g} s {what}.")
        time.sleep(interval)
