"""The floor: no library, a Redis list. The client LPUSHes ``<id>:<i>`` on ``raw:in``; a tiny worker
process BRPOPs it, runs the no-op and LPUSHes the answer on ``raw:reply:<id>``, where the client
BRPOPs it. Everything any of the libraries does on top of this costs time.

    python race_raw.py worker      # one worker process (the race starts `concurrency` of them)
"""
import sys
import uuid

import settings

IN = "raw:in"


def noop(i):
    return i


class Client:
    name = "raw"

    def __init__(self):
        self.r = settings.redis_client()
        self.prefix = uuid.uuid4().hex[:8]
        self.count = 0

    def version(self):
        return settings.redis_py()

    def enqueue(self, i):
        self.count += 1
        handle = f"{self.prefix}{self.count}"
        self.r.lpush(IN, f"{handle}:{i}")
        return handle

    def result(self, handle, timeout=60):
        popped = self.r.brpop(f"raw:reply:{handle}", timeout=timeout)
        if popped is None:
            raise TimeoutError(f"no reply for {handle} after {timeout} s")
        return int(popped[1])


def worker():
    r = settings.redis_client()
    while True:
        popped = r.brpop(IN, timeout=5)
        if popped is None:
            continue
        handle, _, arg = popped[1].decode().partition(":")
        r.lpush(f"raw:reply:{handle}", noop(int(arg)))


if __name__ == "__main__" and sys.argv[1:] == ["worker"]:
    try:
        worker()
    except KeyboardInterrupt:
        pass
