"""Dramatiq: the Redis broker and the Results middleware with its Redis backend.

    dramatiq race_dramatiq --processes 2 --threads 1
"""
import dramatiq
import settings
from dramatiq.brokers.redis import RedisBroker
from dramatiq.results import Results
from dramatiq.results.backends import RedisBackend

broker = RedisBroker(url=settings.url())
broker.add_middleware(Results(backend=RedisBackend(url=settings.url())))
dramatiq.set_broker(broker)


@dramatiq.actor(queue_name=settings.QUEUE, store_results=True, max_retries=0)
def noop(i):
    return i


class Client:
    name = "dramatiq"

    def version(self):
        return f"dramatiq {dramatiq.__version__}, {settings.redis_py()}"

    def enqueue(self, i):
        return noop.send(i)

    def result(self, handle, timeout=60):
        # Blocks with BRPOPLPUSH on the message's result key (timeout in ms, whole seconds).
        return handle.get_result(block=True, timeout=int(timeout * 1000))
