"""Django's own tasks, run for real (lesson 30 and its lab): a task sent with ``.enqueue()`` and
run by a fresh `manage.py db_worker`, and the same worker killed mid-task."""
from __future__ import annotations

from labkit.runtime.waiting import wait_until


def is_django_task(candidate) -> bool:
    """A function decorated with django_tasks' ``@task`` (a Task object), not a plain function."""
    from django_tasks.base import Task
    return isinstance(candidate, Task)


def fresh_db_worker(kitchen):
    """A `manage.py db_worker` started now, so it imports the task modules as they are now (it
    imports each once, at the first task of that module, like any Python program)."""
    kitchen.stop_db_worker()
    return kitchen.start_db_worker()


def run_by_db_worker(kitchen, task, *args, timeout: float = 20.0, **kwargs) -> dict:
    """Enqueue ``task(*args, **kwargs)``, have a fresh database worker run it, and say how it went:
    its status, what it returned or raised, and which workers ran it."""
    fresh_db_worker(kitchen)
    result = task.enqueue(*args, **kwargs)
    wait_until(lambda: status_of(result) and result.is_finished, timeout=timeout, interval=0.05,
               what="the database worker to run the task")
    outcome = {"id": str(result.id), "status": str(result.status), "worker ids": list(result.worker_ids)}
    if result.errors:
        outcome["raised"] = result.errors[-1].exception_class_path
    else:
        outcome["returned"] = result.return_value
    return outcome


def kill_db_worker_mid_task(kitchen, task, *args, in_hand=None, **kwargs):
    """Enqueue a long ``task``, wait until the database worker has claimed it (status RUNNING) and
    ``in_hand()`` says the work has begun (the order is cooking), kill the worker (SIGKILL: a crash,
    an out-of-memory kill), and start another. The result of the killed task, refreshed."""
    fresh_db_worker(kitchen)
    result = task.enqueue(*args, **kwargs)
    wait_until(lambda: status_of(result) == "RUNNING" and (in_hand is None or in_hand()), timeout=20,
               interval=0.05, what="the database worker to start the task")
    kitchen.db_worker.kill()  # and waits for it to end
    kitchen.start_db_worker()
    result.refresh()
    return result


def ids_of(answer) -> set[str]:
    """Task ids however a learner gives them: UUIDs, strings, rows (anything with an ``id``)."""
    try:
        return {str(getattr(item, "id", item)) for item in answer}
    except TypeError:  # not a collection: one id, or nothing usable
        return {str(getattr(answer, "id", answer))}


def status_of(result) -> str:
    """The result's status now, as the backend says."""
    result.refresh()
    return str(result.status)


def wait_for_status(result, status: str, timeout: float) -> bool:
    """Whether the result reaches ``status`` within ``timeout`` seconds (False, not an error, if not
    or if it ends in another: SUCCESSFUL and FAILED are final)."""
    try:
        wait_until(lambda: status_of(result) == status or result.is_finished, timeout=timeout, interval=0.1,
                   what=f"status {status}")
    except TimeoutError:
        return False
    return status_of(result) == status


def other_tasks_touched(result) -> list[str]:
    """Tasks other than ``result``'s that were sent back: run more than once, or READY again after
    they ran (a learner's update() that caught every row), described."""
    from django_tasks_db.models import DBTaskResult
    return [f"{row.task_path} ({row.status}, run {len(row.worker_ids)} times)"
            for row in DBTaskResult.objects.exclude(id=result.id)
            if len(row.worker_ids) > 1 or (row.worker_ids and str(row.status) == "READY")]
