"""Huey: RedisHuey (queue list, results in a hash), results announced with notify_result=True.

    huey_consumer race_huey.huey --workers 2 --worker-type process
"""
import settings
from huey import RedisHuey

# notify_result=True: the worker also LPUSHes a note, so result.get(blocking=True) waits with BLPOP.
# Without it, huey polls for the result: every 50 ms at first, backing off.
huey = RedisHuey(settings.QUEUE, host=settings.HOST, port=settings.PORT, password=settings.PASSWORD,
                 db=settings.DB, notify_result=True)


@huey.task()
def noop(i):
    return i


class Client:
    name = "huey"

    def version(self):
        import huey as huey_package
        return f"huey {huey_package.__version__}, {settings.redis_py()}"

    def enqueue(self, i):
        return noop(i)

    def result(self, handle, timeout=60):
        return handle.get(blocking=True, timeout=timeout)
