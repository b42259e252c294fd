"""arq: asyncio jobs in a sorted set, a job key, a result key; the worker polls the queue.

    arq race_arq.WorkerSettings --custom-log-dict race_arq.LOG_CONFIG   # twice: two processes

Runs in .venv-arq (arq 0.28 needs redis<6). The worker polls the queue (ZRANGEBYSCORE) every
``poll_delay`` seconds, 0.5 by default; and ``job.result()`` polls the result key the same way.
The race sets both to POLL_DELAY (1 ms): with the defaults, half a second of waiting would hide
everything arq itself costs.
"""
import settings
from arq.connections import RedisSettings

POLL_DELAY = 0.001
REDIS = RedisSettings(host=settings.HOST, port=settings.PORT, password=settings.PASSWORD,
                      database=settings.DB)


async def noop(ctx, i):
    return i


class WorkerSettings:
    functions = [noop]
    redis_settings = REDIS
    queue_name = settings.QUEUE
    max_jobs = 1           # one job at a time per process, like the other libraries' workers
    poll_delay = POLL_DELAY
    handle_signals = True


class Client:
    name = "arq"
    is_async = True

    async def start(self):
        from arq import create_pool
        self.pool = await create_pool(REDIS, default_queue_name=settings.QUEUE)

    def version(self):
        from arq.version import VERSION
        return f"arq {VERSION}, {settings.redis_py()}"

    async def enqueue(self, i):
        return await self.pool.enqueue_job("noop", i)

    async def result(self, handle, timeout=60):
        return await handle.result(timeout=timeout, poll_delay=POLL_DELAY)

    async def close(self):
        await self.pool.aclose()


# `arq --custom-log-dict race_arq.LOG_CONFIG`: WARNING, as for every library (arq logs each job at INFO)
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"plain": {"level": "WARNING", "class": "logging.StreamHandler"}},
    "loggers": {"arq": {"handlers": ["plain"], "level": "WARNING"}},
}
