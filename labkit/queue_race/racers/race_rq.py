"""RQ: a queue list, a job hash, results in a stream per job (rq >= 2).

    rq worker-pool --num-workers 2 race                                   # "rq": a Worker forks per job
    rq worker-pool --num-workers 2 --worker-class rq.SimpleWorker race    # "rq-simple": no fork
"""
import settings
from redis import Redis
from rq import Queue


def noop(i):
    return i


class Client:
    name = "rq"

    def __init__(self):
        self.queue = Queue(settings.QUEUE, connection=Redis(host=settings.HOST, port=settings.PORT,
                                                             password=settings.PASSWORD, db=settings.DB))

    def version(self):
        import rq
        return f"rq {rq.__version__}, {settings.redis_py()}"

    def enqueue(self, i):
        return self.queue.enqueue(noop, i)

    def result(self, handle, timeout=60):
        # Blocks on the job's result stream (XREAD BLOCK): no polling.
        res = handle.latest_result(timeout=timeout)
        if res is None:
            raise TimeoutError(f"job {handle.id}: no result after {timeout} s")
        if res.type != res.Type.SUCCESSFUL:
            raise RuntimeError(f"job {handle.id} failed: {res.exc_string}")
        return res.return_value
