"""The whole restaurant of one kernel: Redis, the cook (worker), the door (Daphne), and beat.

    import labkit
    kitchen = labkit.open_restaurant()   # idempotent: run it again and nothing doubles
    kitchen                              # the status table
    labkit.close_restaurant()

Each service is also started on its own (``kitchen.start_redis()``, ``kitchen.start_worker()``,
``kitchen.start_daphne()``, ``kitchen.start_beat()``), every call safe to repeat.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from labkit.kitchen import door_keys, facts, kernel_django, new_day
from labkit.kitchen.more_of_the_kitchen import MoreOfTheKitchen
from labkit.kitchen.small_machine import default_concurrency, make_room
from labkit.kitchen.your_code import YourCode
from labkit.runtime.browser import Link
from labkit.runtime.errors import LabkitError
from labkit.runtime.ports import quiet_port
from labkit.runtime.run import Run
from labkit.runtime.service import Service, start_together
from labkit.runtime.tables import Table, fmt_duration
from labkit.services.celery import CeleryBeat, CeleryWorker
from labkit.services.external_redis import RedisRelay, external_redis
from labkit.services.flower import Flower
from labkit.services.rabbitmq import RabbitMQServer
from labkit.services.redis import RedisServer, redis_url
from labkit.services.web import Daphne, OneWaiter, Uvicorn


class Restaurant(MoreOfTheKitchen, YourCode):
    """Everything one kernel runs, in one private run folder."""

    def __init__(self, home: Path | None = None, in_process_django: bool = True):
        """``in_process_django``: point this process's Django at this restaurant (a kernel wants
        that, to use the ORM and the test client); tests that open several restaurants don't."""
        self.run = Run(home)
        self.in_process_django = in_process_django
        # Redis's address is fixed for the restaurant's life, before Redis starts: Django's settings
        # (and so the restaurant's models) can be loaded first, and a restarted Redis is found again.
        self.redis_port = quiet_port()  # named in Django's settings long before Redis binds it
        self.redis_password = secrets.token_urlsafe(24)
        self.redis_username = ""
        # ORDERUP_USE_REDIS: an existing Redis (an instructor's), reached through a relay we own
        self.external_redis = external_redis()
        if self.external_redis:
            self.redis_password = self.external_redis["password"]
            self.redis_username = self.external_redis["username"]
        # Daphne's door key: other users of a shared machine can reach its port, not its pages.
        # In the run's state file (a folder only this user can read) for the front desk's links.
        self.door_key = secrets.token_urlsafe(16)
        self.run.state["door_key"] = self.door_key
        self.redis: RedisServer | None = None
        self.worker: CeleryWorker | None = None
        self.beats: dict[str, CeleryBeat] = {}  # normally one, "beat"; lesson 07 starts a second
        self.daphne: Daphne | None = None
        self.uvicorn: Uvicorn | None = None  # lesson 27: the same application on another server
        self.one_waiter: OneWaiter | None = None
        self.stations: dict[str, CeleryWorker] = {}  # lesson 11: workers for named queues
        self.flower: Flower | None = None
        self.rabbitmq: RabbitMQServer | None = None  # lesson 13: another broker, when installed

    # -- the pieces ----------------------------------------------------------------------------
    @property
    def services(self) -> list[Service]:
        """Every service of this kitchen, Redis first (close() stops them in the reverse order)."""
        everything = (self.redis, self.rabbitmq, self.supervisor, self.db_worker, self.worker, *self.stations.values(),
                      *self.beats.values(), self.daphne, self.uvicorn, self.dev_server, self.one_waiter, self.flower)
        return [s for s in everything if s is not None]

    @property
    def beat(self) -> CeleryBeat | None:
        return self.beats.get("beat")

    @property
    def redis_url(self) -> str:
        """redis://:password@127.0.0.1:port (add /N for a database). Keep it out of outputs."""
        return redis_url(self.redis_port, self.redis_password, self.redis_username)

    def app_environment(self) -> dict:
        """What every program of the restaurant needs to know: where Redis is, where the run is."""
        return {
            "DJANGO_SETTINGS_MODULE": kernel_django.SETTINGS,
            "ORDERUP_REDIS_URL": self.redis_url,
            "ORDERUP_REDIS_FIRST_DB": str(self.external_redis["first_db"] if self.external_redis else 0),
            "ORDERUP_RUN_DIR": str(self.run.dir),
        }

    def start_redis(self, port: int | None = None) -> RedisServer:
        """Start Redis (on ``port`` if given, else on the port picked for this restaurant)."""
        if self.redis is None:
            if port is not None and port != self.redis_port:
                if kernel_django.owner() is self:
                    raise LabkitError(
                        f"This kernel's Django already expects Redis on port {self.redis_port}; "
                        "restart the kernel to use another port."
                    )
                self.redis_port = port
            if self.external_redis:
                self.redis = RedisRelay(self.run, self.external_redis, port=self.redis_port)
            else:
                self.redis = RedisServer(self.run, port=self.redis_port, password=self.redis_password,
                                         port_was_picked=port is None)
        restarting = self.redis.proc is not None and not self.redis.running
        if not self.redis.running:
            make_room(self.run)
        self.redis.start()
        self.prepare_django()
        if restarting:
            kernel_django.drop_stale_connections(self)
        return self.redis

    @staticmethod
    def _keep_or_replace(running: Service | None, wanted: Service) -> Service:
        """The running service if it was started with the same options, else ``wanted``
        (stopping the old one first: never two by accident)."""
        if running is not None and running.running:
            if running.options == wanted.options:
                return running
            running.stop()
        return wanted

    def _worker(self, **options) -> CeleryWorker:
        self.worker = self._keep_or_replace(self.worker, self._wanted_worker(**options))
        return self.worker

    def _wanted_worker(self, **options) -> CeleryWorker:
        return self._reads_your_code(CeleryWorker(self.run, self.app_environment(), requires=[self.redis],
                                                  include=self.your_modules, **options), self.your_modules)

    def start_worker(self, concurrency: int | None = None, pool: str = "prefork", **options) -> CeleryWorker:
        """Start a worker with ``concurrency`` pool processes (default: 2, or 1 on a small machine)."""
        concurrency = concurrency or default_concurrency()
        self.start_redis()
        worker = self._worker(concurrency=concurrency, pool=pool, **options)
        return worker.start()

    def has_worker(self, concurrency: int | None = None, pool: str = "prefork", **options) -> bool:
        """A worker runs that was started with these options: start_worker(...) would keep it."""
        wanted = self._wanted_worker(concurrency=concurrency or default_concurrency(), pool=pool, **options)
        return self.worker is not None and self.worker.running and self.worker.options == wanted.options

    def stop_worker(self) -> None:
        """No cook in the kitchen: tickets stay on the rail."""
        if self.worker is not None:
            self.worker.stop()

    def _beat(self, name: str = "beat", extra_args: list[str] | None = None,
              settings: dict | None = None) -> CeleryBeat:
        """The running beat of that name if it fits, or a new one (not started)."""
        wanted = self._reads_your_code(CeleryBeat(self.run, self.app_environment(), extra_args=extra_args,
                                                  name=name, requires=[self.redis], settings=settings))
        self.beats[name] = self._keep_or_replace(self.beats.get(name), wanted)
        return self.beats[name]

    def start_beat(self, name: str = "beat", extra_args: list[str] | None = None,
                   settings: dict | None = None) -> CeleryBeat:
        """Start beat (one scheduler per schedule: a second one, by another ``name``, duplicates).
        ``settings``: extra environment (a learner's schedule: kitchen/your_code.py)."""
        self.start_redis()
        return self._beat(name, extra_args, settings).start()

    def stop_beat(self, name: str = "beat") -> None:
        if name in self.beats:
            self.beats[name].stop()

    def _daphne(self, port: int | None = None, settings: dict | None = None) -> Daphne:
        """The running Daphne if it fits (same settings; same port, if one is asked), or a new one."""
        if port is None and self.daphne is not None and self.daphne.running:
            port = self.daphne.options["port"]  # "any port" is happy with the one it has
        daphne = self._reads_your_code(Daphne(self.run, self.app_environment(), port=port, settings=settings,
                                              requires=[self.redis], door_key=self.door_key))
        self.daphne = self._keep_or_replace(self.daphne, daphne)
        return self.daphne

    def start_daphne(self, port: int | None = None, settings: dict | None = None) -> Daphne:
        """Start Daphne. ``settings``: extra environment (``{"ORDERUP_FAULT_LAYER": "memory"}``);
        a running Daphne with other settings is replaced."""
        self.start_redis()
        daphne = self._daphne(port, settings).start()
        door_keys.register(daphne.port, self.door_key)
        return daphne

    def page_url(self, table: int) -> str:
        """Where the learner's browser finds table N's page (Daphne must be running)."""
        if self.daphne is None or not self.daphne.running:
            raise LabkitError("Daphne is not running: kitchen.start_daphne() (or open()) starts it.")
        return self.daphne.browser_url(f"table/{table}/")

    def page(self, table: int) -> Link:
        """A link to table N's page, to click in the notebook."""
        return Link(self.page_url(table), f"table {table}'s page")

    def start_one_waiter(self) -> OneWaiter:
        """A WSGI web process that serves one request at a time (lesson 01)."""
        self.start_redis()
        if self.one_waiter is None or not self.one_waiter.running:
            self.one_waiter = OneWaiter(self.run, self.app_environment(), requires=[self.redis],
                                        door_key=self.door_key)
        self.one_waiter.start()
        door_keys.register(self.one_waiter.port, self.door_key)
        return self.one_waiter

    # -- all at once ----------------------------------------------------------------------------
    def open(self, worker: bool = True, daphne: bool = True, beat: bool = False,
             concurrency: int | None = None, fresh: bool = True) -> Restaurant:
        """Start Redis, then the worker and Daphne (and beat if asked) side by side.

        ``fresh``: open for a new day, empty (:meth:`clear`): whatever an earlier notebook or an
        earlier run of this one left in this kernel's restaurant is gone, so a lesson starts from
        the same restaurant every time, and shows the same order numbers."""
        self.start_redis()
        if fresh:
            if not worker and self.worker is not None:  # a new day without a cook: not even a stopped one
                self.worker.stop()
                self.worker = None
            self.clear()
        wanted = []
        if worker:
            wanted.append(self._worker(concurrency=concurrency or default_concurrency(), pool="prefork"))
        if daphne:
            wanted.append(self._daphne())
        if beat:
            wanted.append(self._beat())
        start_together(wanted)
        if self.daphne is not None and self.daphne.running:
            door_keys.register(self.daphne.port, self.door_key)
        return self

    def clear(self) -> None:
        """Empty the restaurant for a new day (new_day.py): no orders, nothing in Redis for it."""
        new_day.clear(self)

    def close(self) -> Restaurant:
        """Stop every service, the door first and Redis last. The run folder (logs) stays."""
        for service in reversed(self.services):
            service.stop()
        return self

    # -- Django in this process --------------------------------------------------------------------
    def prepare_django(self) -> None:
        """Point this process's Django at this restaurant (kernel_django.py); needs no service."""
        kernel_django.prepare(self)

    # -- looking at it -------------------------------------------------------------------------------
    def status(self) -> Table:
        rows = [{"service": s.name, "state": s.state, "process": f"pid {s.pid}" if s.running else "",
                 "address": f"127.0.0.1:{s.port}" if s.running and s.port else "",
                 "up": fmt_duration(s.uptime) if s.running else "", "log": str(s.log_path)} for s in self.services]
        return Table(rows, ["service", "state", "process", "address", "up", "log"])

    def is_idle(self) -> bool:
        """No ticket on the rail, none held by a worker, and no task running (the worker says so).

        A worker that does not answer counts as busy: silence is not an answer. The rail is read
        again after the worker answers: kombu takes a ticket off the rail (BRPOP) and then records
        it as held (HSET unacked), and a ticket between the two is on neither."""
        from restaurant import celery_app
        broker = self.redis.client(facts.database("broker"))

        if broker.llen("celery") or broker.hlen("unacked"):
            return False
        active = celery_app.control.inspect(timeout=1.0, limit=1).active()
        return bool(active) and not any(active.values()) and not (broker.llen("celery") or broker.hlen("unacked"))

    def memory(self) -> int:
        """Resident memory of every running service (and its children), in bytes."""
        return sum(s.memory() for s in self.services)

    def _repr_html_(self) -> str:
        return self.status()._repr_html_()

    def __repr__(self) -> str:
        return repr(self.status())


_current: Restaurant | None = None


def running_redis() -> RedisServer:
    """This kernel's Redis, which must be running (for the helpers that look inside it)."""
    server = current().redis
    if server is None or not server.running:
        raise LabkitError("Redis is not running: labkit.open_restaurant() starts it.")
    return server


def current() -> Restaurant:
    """This kernel's restaurant (created, not started, on first use)."""
    global _current
    if _current is None:
        _current = Restaurant()
    return _current


def open_restaurant(**options) -> Restaurant:
    """Open the whole restaurant: Redis, a worker and Daphne. Safe to run again."""
    return current().open(**options)


def close_restaurant() -> None:
    """Stop every service this kernel started."""
    if _current is not None:
        _current.close()

