"""Your own code in the kitchen (the labs): a module you write into this run's folder, which the
kernel imports and every worker started from then on imports too. A part of Restaurant.

    %%writefile {kitchen.run.dir}/my_cook.py        # a cell that writes your module
    ...
    my_cook = kitchen.load_module("my_cook")        # import it here, and in the worker

The worker imports it with `--include=my_cook` (as `celery -A restaurant worker --include=...`
would), so the drills' fresh workers run your tasks too. Daphne and beat take your modules as
settings instead: ``start_daphne(settings={"ORDERUP_YOUR_ROUTES": "my_consumers"})`` adds your
module's ``websocket_urlpatterns`` (its consumers) and ``urlpatterns`` (its views),
``start_beat(settings={"ORDERUP_YOUR_SETTINGS": "my_schedule"})`` puts your module's settings on top
of the restaurant's (restaurant/classroom/settings.py, asgi.py, urls.py).
"""
from __future__ import annotations

import hashlib
import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from labkit.runtime.errors import LabkitError

if TYPE_CHECKING:
    from labkit.runtime.service import Service


class YourCode:
    """Restaurant's methods for the learner's own modules (they use its run folder and worker)."""

    your_modules: tuple[str, ...] = ()

    def _reads_your_code(self, service: Service, modules: tuple[str, ...] = ()) -> Service:
        """Note in ``service``'s options what the learner's modules it imports say now (those it
        includes, and those its settings name: ORDERUP_YOUR_SETTINGS, ORDERUP_YOUR_ROUTES), so that
        a running program that read an older version is restarted: a program reads code once, when it
        starts (lesson 03), and a learner who fixes a wrong answer must see the fix run."""
        named = [value for key, value in service.options.get("settings", ()) if key.startswith("ORDERUP_YOUR_")]
        digest = hashlib.sha256()
        for name in sorted({*modules, *named}):
            path = self.run.dir / f"{name}.py"
            digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
        service.options["your_code"] = digest.hexdigest()[:12] if (modules or named) else None
        return service

    def load_module(self, name: str) -> ModuleType:
        """Import your module ``name`` (``<run folder>/<name>.py``) in this kernel, anew if it
        changed, and in the worker: a running worker restarts to import it (a worker reads code
        once, when it starts: lesson 03)."""
        path = self.run.dir / f"{name}.py"
        if not path.is_file():
            raise LabkitError(f"No module {path}: run the %%writefile cell that writes it first.")
        if str(self.run.dir) not in sys.path:
            sys.path.insert(0, str(self.run.dir))
        importlib.invalidate_caches()
        if name in sys.modules:
            _forget_tasks_of(name)
        try:
            # a fresh import, not importlib.reload: a reload keeps the names the new version no longer
            # defines, so a function renamed in the cell would still answer under its old name
            sys.modules.pop(name, None)
            module = importlib.import_module(name)
        except Exception as error:
            raise LabkitError(f"Your module {name}.py does not import: {type(error).__name__}: {error}. "
                              "Fix it in its %%writefile cell, run that cell, then this one again.") from error
        if name not in self.your_modules:
            self.your_modules = (*self.your_modules, name)
        if self.worker is not None and self.worker.running:  # the same worker, now including this module
            o = self.worker.options
            self.start_worker(concurrency=o["concurrency"], pool=o["pool"], queues=list(o["queues"]),
                              hostname=o["hostname"], extra_args=list(o["extra_args"]), settings=dict(o["settings"]))
        return module


def _forget_tasks_of(module_name: str) -> None:
    """Unregister the tasks the module's last version defined, so that its new version's are the
    ones this kernel calls (Celery keeps the first callable under a name, and warns). Its
    ``@shared_task`` functions are forgotten too: celery/app/__init__.py keeps one callback per
    decorated function in ``celery._state._on_app_finalizers``, and every app finalized later
    (a second ``Celery(...)`` in a lesson) would register the old and the new version, and warn."""
    from celery import _state

    from restaurant.celery import app
    for task_name in [n for n, task in app.tasks.items() if getattr(task, "__module__", None) == module_name]:
        app.tasks.unregister(task_name)
    for callback in list(_state._on_app_finalizers):
        closed_over = [getattr(cell, "cell_contents", None) for cell in callback.__closure__ or ()]
        if any(callable(value) and getattr(value, "__module__", None) == module_name for value in closed_over):
            _state._on_app_finalizers.discard(callback)
