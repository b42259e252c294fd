"""The classroom's settings: the restaurant's own (restaurant/settings.py), pointed at one notebook's
kitchen, plus what the course adds. labkit starts every program with
DJANGO_SETTINGS_MODULE=restaurant.classroom.settings; a restaurant outside the course needs none of it.

What labkit tells each program, in its environment:
    ORDERUP_REDIS_URL       redis://:password@127.0.0.1:port, this kernel's Redis (no database)
    ORDERUP_REDIS_FIRST_DB  where the four databases start (on an instructor's shared Redis)
    ORDERUP_RUN_DIR         this kernel's run folder: the SQLite database lives there
    ORDERUP_DOOR_KEY        the web processes' door key (door.py)
    ORDERUP_PROGRAM         which program this is, for the order's trail (trail.py) and the names
                            of its Redis connections (below)
What the lessons and drills change, for one program at a time (labkit/drills):
    ORDERUP_COOK_SECONDS, ORDERUP_BELL_SECONDS, ORDERUP_VISIBILITY_TIMEOUT, ORDERUP_RESTORE_INTERVAL,
    ORDERUP_RESTORE_THROTTLE, ORDERUP_BROKER_URL (lesson 13: RabbitMQ), ORDERUP_FAULT_* (faults.py),
    ORDERUP_DAPHNE_APP (lesson 27: "daphne" in INSTALLED_APPS, for manage.py runserver)
    ORDERUP_PRODUCTION (lesson 19: restaurant/production.py's Celery and Channels settings on top)
"""
import importlib
import os
from pathlib import Path

from restaurant.settings import *  # noqa: F401,F403 (the restaurant's settings, then ours on top)
from restaurant.settings import (
    ALLOWED_HOSTS,
    CELERY_BEAT_SCHEDULE,
    CHANNEL_LAYERS,
    INSTALLED_APPS,
    MIDDLEWARE,
    REDIS_DATABASES,
)

from .faults import channel_layer_backend
from .hosts import hub_hosts, trusted_origins

env = os.environ

INSTALLED_APPS = [*INSTALLED_APPS, "restaurant.classroom"]  # its ready() hooks the order's trail in
# lesson 27: Daphne's app, listed first, replaces Django's runserver command with its own (an ASGI server)
if env.get("ORDERUP_DAPHNE_APP") == "1":
    INSTALLED_APPS = ["daphne", *INSTALLED_APPS]
MIDDLEWARE = ["restaurant.classroom.door.door_key_middleware", *MIDDLEWARE]
DOOR_KEY = env.get("ORDERUP_DOOR_KEY", "")
ASGI_APPLICATION = "restaurant.classroom.asgi.application"  # the restaurant's, behind the door

# Behind jupyter-server-proxy (Binder, JupyterHub) the browser's Host is the hub's: hosts.py reads it
# from the hub's environment instead of turning the check off.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver", *hub_hosts(env)]
CSRF_TRUSTED_ORIGINS = trusted_origins(env)

# this kernel's run folder and Redis
RUN_DIR = Path(env.get("ORDERUP_RUN_DIR", Path(__file__).resolve().parents[2] / ".orderup"))
DATABASES["default"]["NAME"] = RUN_DIR / "restaurant.sqlite3"  # noqa: F405
REDIS_URL = env.get("ORDERUP_REDIS_URL", "redis://127.0.0.1:6379")
FIRST_DB = int(env.get("ORDERUP_REDIS_FIRST_DB", "0"))
REDIS_DATABASES = {hat: FIRST_DB + number for hat, number in REDIS_DATABASES.items()}


def redis_database(hat: str) -> str:
    return f"{REDIS_URL}/{REDIS_DATABASES[hat]}"


# lesson 13 puts the rail somewhere else (RabbitMQ); results stay in Redis
CELERY_BROKER_URL = env.get("ORDERUP_BROKER_URL") or redis_database("broker")
CELERY_RESULT_BACKEND = redis_database("results")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": redis_database("cache")}}
# Each program names its Redis connections (Redis's CLIENT SETNAME), so that labkit's message tape
# (labkit/look/tape.py) can say who sent each command: the web process is the waiter on the rail and
# the buzzer on the pass, the worker is the cook on both.
PROGRAM = env.get("ORDERUP_PROGRAM", "kernel")
ON_THE_RAIL, ON_THE_PASS = {"web": ("waiter", "buzzer"), "worker": ("cook", "cook"),
                            "kernel": ("notebook", "notebook")}.get(PROGRAM, (PROGRAM, PROGRAM))
CELERY_REDIS_CLIENT_NAME = ON_THE_RAIL  # the result backend's connections
# Only the hosts' addresses change: the rest of the restaurant's CONFIG (a capacity, a timeout) is kept.
_HOST = CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts", [{}])[0]  # its options (a socket timeout)
_PASS_CONFIG = {**CHANNEL_LAYERS["default"].get("CONFIG", {}),
                "hosts": [{**(_HOST if isinstance(_HOST, dict) else {}),
                           "address": redis_database("channel layer"), "client_name": ON_THE_PASS}]}
CHANNEL_LAYERS = {"default": {**CHANNEL_LAYERS["default"], "CONFIG": _PASS_CONFIG}}
# the order's trail notes what crosses the pass (trail.py); faults.py can break it (lab 28), and a
# project whose own settings chose Channels' in-memory layer gets the classroom's (lesson 10's drill 4)
CHANNEL_LAYERS["default"].update(channel_layer_backend(env, CHANNEL_LAYERS["default"]["BACKEND"]))

# lessons 05 and 11 shorten the time before an abandoned ticket goes back on the rail. A worker puts
# tickets back holding a lock in Redis (kombu's unacked_mutex); one killed while it holds it leaves it
# there until it expires (kombu: 300 s), and meanwhile no worker puts any ticket back, so the crash
# drills, which kill workers, let it expire with the visibility timeout
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env.get("ORDERUP_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": int(env.get("ORDERUP_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": int(env.get("ORDERUP_RESTORE_THROTTLE", "10")),
    "unacked_mutex_expire": int(env.get("ORDERUP_RESTORE_LOCK_SECONDS", "300")),
    "client_name": ON_THE_RAIL,
}
COOK_SECONDS = float(env.get("ORDERUP_COOK_SECONDS", "1.0"))
CELERY_BEAT_SCHEDULE["ring-the-bell"] = {**CELERY_BEAT_SCHEDULE["ring-the-bell"],
                                         "schedule": float(env.get("ORDERUP_BELL_SECONDS", "1.0"))}

# The labs: a module the learner wrote (in the run folder), whose settings go on top of these, for the
# program started with ORDERUP_YOUR_SETTINGS=<module> (labkit/kitchen/your_code.py). A dict setting
# (CELERY_BEAT_SCHEDULE, CELERY_TASK_ROUTES) gets the learner's entries added, nested dicts too
# (CHANNEL_LAYERS = {"default": {"CONFIG": {"capacity": 300}}} keeps the hosts), and so does each dict of
# a list of as many dicts (a host's options added to ours); any other is replaced.
def _host_by_host(a, b) -> bool:
    return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(
        isinstance(item, dict) for item in a + b)


def _on_top(ours, yours):
    if _host_by_host(ours, yours):
        return [_on_top(our, your) for our, your in zip(ours, yours, strict=True)]
    if not (isinstance(ours, dict) and isinstance(yours, dict)):
        return yours
    return {**ours, **{key: _on_top(ours.get(key), value) for key, value in yours.items()}}


def _added(theirs, plain):
    """What ``theirs`` adds to or changes in ``plain``: in a dict, only the keys that differ."""
    if _host_by_host(theirs, plain):
        return [_added(their, plain_one) for their, plain_one in zip(theirs, plain, strict=True)]
    if not (isinstance(theirs, dict) and isinstance(plain, dict)):
        return theirs
    return {key: _added(value, plain.get(key)) for key, value in theirs.items() if value != plain.get(key)}


# The production settings' Celery and Channels choices (restaurant/production.py), for a program
# started with ORDERUP_PRODUCTION=1 (lesson 19); its database, hosts and Redis stay this kernel's.
if env.get("ORDERUP_PRODUCTION") == "1":
    import restaurant.production as _production
    import restaurant.settings as _plain

    for _name in [n for n in vars(_production) if n.startswith(("CELERY_", "CHANNEL_LAYERS"))]:
        if getattr(_production, _name) != getattr(_plain, _name, None):
            globals()[_name] = _on_top(globals().get(_name), _added(getattr(_production, _name),
                                                                   getattr(_plain, _name, None)))

if env.get("ORDERUP_YOUR_SETTINGS"):
    _yours = importlib.import_module(env["ORDERUP_YOUR_SETTINGS"])
    for _name in [n for n in vars(_yours) if n.isupper()]:
        globals()[_name] = _on_top(globals().get(_name), getattr(_yours, _name))

# ...and a module whose routes come before the restaurant's, for the web process started with
# ORDERUP_YOUR_ROUTES=<module>: its views (urlpatterns: urls.py), its consumers (websocket_urlpatterns: asgi.py).
if env.get("ORDERUP_YOUR_ROUTES"):
    ROOT_URLCONF = "restaurant.classroom.urls"
