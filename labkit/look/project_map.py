"""Where to look: each actor of the relay and the file and line where the project defines it.

Generated from the code itself (Django's URL resolver, Celery's task registry, Channels' routing,
Python's syntax tree of every module), not typed by hand, so it stays true when the code changes.
The same questions find the actors in any Django + Celery + Channels project:

    labkit.where_to_look()                  # this project, the restaurant
"""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

from labkit.runtime.paths import course_root
from labkit.runtime.tables import Table


def _where(path: str | Path, line: int) -> str:
    return f"{Path(path).resolve().relative_to(course_root())}:{line}"


def _source_of(obj) -> str:
    obj = inspect.unwrap(obj)
    return _where(inspect.getsourcefile(obj), inspect.getsourcelines(obj)[1])


def _in_project(obj) -> bool:
    try:
        path = Path(inspect.getsourcefile(inspect.unwrap(obj))).resolve()
        return path.is_relative_to(course_root()) and "site-packages" not in path.parts  # not the venv's
    except (TypeError, OSError):
        return False


def _assignment(path: Path, name: str) -> str:
    """file:line where the module at ``path`` assigns ``name`` (a setting)."""
    for node in ast.walk(ast.parse(path.read_text())):  # also inside if/else (CHANNEL_LAYERS)
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return _where(path, node.lineno)
    return _where(path, 1)


def _uses(package: Path, attribute: str) -> list[tuple[str, str]]:
    """(file:line, source) for every ``x.attribute`` under ``package``: called, or handed to a
    wrapper as in ``async_to_sync(layer.group_send)(...)``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if "tests" in path.relative_to(package).parts:  # the project's tests call tasks too: not the relay
            continue
        if "migrations" in path.parts or "classroom" in path.parts:  # the course's, not the project's
            continue
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and node.attr == attribute:
                found.append((_where(path, node.lineno), ast.get_source_segment(source, node)))
    return sorted(found, key=lambda f: (f[0].split(":")[0], int(f[0].split(":")[1])))


def _url_patterns(patterns, prefix=""):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            yield from _url_patterns(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p.callback


def where_to_look(package: str = "restaurant") -> Table:
    """One row per actor: who it is in the restaurant, where its code is, and what it is there."""
    import importlib

    from django.conf import settings
    from django.urls import get_resolver

    root = course_root() / package
    settings_file = root / "settings.py"  # the project's own settings (the classroom's import them)
    rows = []

    def add(actor, where, what):
        rows.append({"actor": actor, "where": where, "what": what})

    for route, view in _url_patterns(get_resolver().url_patterns):
        if _in_project(view):
            add("waiter (a view)", _source_of(view), f"/{route} -> {view.__name__}()")
        else:  # one of Django's own views (the login page): where the project routes it
            for number, line in enumerate((root / "urls.py").read_text().splitlines(), start=1):
                if f'"{route}"' in line:
                    add("waiter (Django's view)", _where(root / "urls.py", number),
                        f"/{route} -> {getattr(view, 'view_class', view).__name__}")
    for where, call in _uses(root, "delay") + _uses(root, "apply_async"):
        add("spiking a ticket", where, call + "(...)")
    add("the ticket rail (broker)", _assignment(settings_file, "CELERY_BROKER_URL"),
        f"Redis database {settings.REDIS_DATABASES['broker']}, list 'celery'")
    from celery import current_app
    current_app.loader.import_default_modules()  # every app's tasks.py, as a worker imports them
    for name, task in sorted(current_app.tasks.items()):
        if name.startswith(package + ".") and _in_project(task.run):  # not one a notebook cell defined
            add("cook (a task)", _source_of(task.run), name.rsplit(".", 1)[-1])
    add("beat's schedule", _assignment(settings_file, "CELERY_BEAT_SCHEDULE"),
        ", ".join(settings.CELERY_BEAT_SCHEDULE))
    for where, call in _uses(root, "group_send"):
        add("pressing the buzzer", where, call)
    add("the pass (channel layer)", _assignment(settings_file, "CHANNEL_LAYERS"),
        importlib.import_module(f"{package}.settings").CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1])
    routing = importlib.import_module(f"{package}.orders.routing")
    for pattern in routing.websocket_urlpatterns:
        consumer = pattern.callback.consumer_class
        add("buzzer (a consumer)", _source_of(consumer), f"/{pattern.pattern} -> {consumer.__name__}")
        for name, method in inspect.getmembers(consumer, inspect.iscoroutinefunction):
            if method.__module__ != consumer.__module__ or name in ("connect", "disconnect", "receive"):
                continue
            if name == "receive_json":
                add("what a page sends", _source_of(method), "receive_json()")
            else:
                add("a buzz's handler", _source_of(method), f"type {name.replace('_', '.', 1)!r} -> {name}()")
    add("the ASGI app (Daphne runs it)", _assignment(root / "asgi.py", "application"),
        "HTTP -> views, WebSocket -> consumers")
    for template in sorted(root.rglob("templates/**/*.html")):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if "new WebSocket(" in line:
                add("the page's WebSocket", _where(template, number), "new WebSocket(...)")
    return Table(rows, ["actor", "where", "what"], title=f"where to look in {package}/")
