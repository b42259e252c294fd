"""Celery: the Redis broker and the Redis result backend, every setting at its default.

    celery -A race_celery worker --pool=prefork --concurrency=2 --without-mingle --without-gossip
"""
import settings
from celery import Celery

app = Celery("race", broker=settings.url(), backend=settings.url())
app.conf.update(
    task_default_queue=settings.QUEUE,
    broker_connection_retry_on_startup=True,  # quiets a deprecation warning; the default behaviour
    worker_hijack_root_logger=True,
)


@app.task
def noop(i):
    return i


class Client:
    name = "celery"

    def version(self):
        import celery
        import kombu
        return f"celery {celery.__version__}, kombu {kombu.__version__}, {settings.redis_py()}"

    def enqueue(self, i):
        return noop.delay(i)

    def result(self, handle, timeout=60):
        return handle.get(timeout=timeout)
