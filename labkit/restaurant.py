"""The whole restaurant of one kernel: Redis, the cook (worker), the door (Daphne), and beat.

    import labkit
    kitchen = labkit.open_restaurant()   # idempotent: run it again and nothing doubles
    kitchen                              # the status table
    labkit.close_restaurant()

Each service is also started on its own (``kitchen.start_redis()``, ``kitchen.start_worker()``,
``kitchen.start_daphne()``, ``kitchen.start_beat()``), every call safe to repeat.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from .browser import Link
from . import reaper
from .errors import LabkitError
from .machine import machine
from .ports import free_port
from .processes import Run, Service, course_root, resident_memory, wait_until
from .rabbitmq_server import RabbitMQNotFound, RabbitMQServer
from .redis_server import RedisRelay, RedisServer, external_redis, redis_url
from .services import CeleryBeat, CeleryWorker, Daphne, Flower, OneWaiter
from .tables import Table
from .timing import fmt_duration

#: the Restaurant whose Redis this process's Django settings point at (one per kernel)
_django_owner: "Restaurant | None" = None


def start_together(services: list[Service]) -> None:
    """Launch every service that is not running, then wait for each: the slow starts overlap."""
    launched = [s for s in services if not s.running]
    for service in launched:
        service.before_launch()
    for service in launched:
        service._launch()
    try:
        for service in launched:
            service.wait_until_ready()
    except BaseException:
        for service in launched:
            service.stop(timeout=2)
        raise


class Restaurant:
    """Everything one kernel runs, in one private run folder."""

    def __init__(self, home: Path | None = None, in_process_django: bool = True):
        """``in_process_django``: point this process's Django at this restaurant (a kernel wants
        that, to use the ORM and the test client); tests that open several restaurants don't."""
        self.run = Run(home)
        self.in_process_django = in_process_django
        # Redis's address is fixed for the restaurant's life, before Redis starts: Django's settings
        # (and so the restaurant's models) can be loaded first, and a restarted Redis is found again.
        self.redis_port = free_port()
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
        self.one_waiter: OneWaiter | None = None
        self.stations: dict[str, CeleryWorker] = {}  # lesson 11: workers for named queues
        self.flower: Flower | None = None
        self.rabbitmq: RabbitMQServer | None = None  # lesson 11: another broker, when installed

    # -- the pieces ----------------------------------------------------------------------------
    @property
    def services(self) -> list[Service]:
        return [s for s in (self.redis, self.worker, *self.stations.values(), *self.beats.values(),
                            self.daphne, self.one_waiter, self.flower, self.rabbitmq)
                if s is not None]

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
            "DJANGO_SETTINGS_MODULE": "restaurant.settings",
            "ORDERUP_REDIS_URL": self.redis_url,
            "ORDERUP_REDIS_FIRST_DB": str(self.external_redis["first_db"] if self.external_redis else 0),
            "ORDERUP_RUN_DIR": str(self.run.dir),
        }

    def start_redis(self, port: int | None = None) -> RedisServer:
        """Start Redis (on ``port`` if given, else on the port picked for this restaurant)."""
        if self.redis is None:
            if port is not None and port != self.redis_port:
                if _django_owner is self:
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
            self._make_room()
        self.redis.start()
        self.prepare_django()
        if restarting:
            self._drop_stale_connections()
        return self.redis

    def _drop_stale_connections(self) -> None:
        """After Redis restarts, this process's pooled connections point at the old server.
        Publishing reconnects by itself; Celery's control channel (inspect, purge) does not."""
        if _django_owner is self and "restaurant" in sys.modules:
            from kombu import pools
            from restaurant import celery_app
            pools.reset()             # kombu's process-wide pools, keyed by broker URL: close and forget
            celery_app._after_fork()  # Celery's own reset (as after a fork): new pools on next use
            celery_app.__dict__.pop("control", None)  # its mailbox holds the old producer pool
            from channels.layers import channel_layers
            channel_layers.backends.clear()  # the channel layer's pool: get_channel_layer() makes anew

    def _make_room(self) -> None:
        """On a small machine, one open restaurant per user: close the other notebooks' ones."""
        if not machine().small:
            return
        for run_dir in sorted((self.run.home / "runs").iterdir()):
            state = reaper.read_state(run_dir)
            if run_dir.name == self.run.id or not state or not reaper.owner_alive(state):
                continue  # ours, or a crashed kernel's (Run() already cleaned those up)
            procs = reaper.processes_of_run(run_dir, state)
            if not procs:
                continue
            memory = resident_memory(procs) / 1024**2
            reaper.stop_processes(procs)
            print(f"Small machine: closed another notebook's restaurant (run {run_dir.name}, "
                  f"{memory:.0f} MiB) to make room. Run that notebook's first cell to open it again.")

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
        worker = CeleryWorker(self.run, self.app_environment(), requires=[self.redis], **options)
        self.worker = self._keep_or_replace(self.worker, worker)
        return self.worker

    def start_worker(self, concurrency: int | None = None, pool: str = "prefork", **options) -> CeleryWorker:
        """Start a worker with ``concurrency`` pool processes (default: 2, or 1 on a small machine)."""
        concurrency = concurrency or default_concurrency()
        self.start_redis()
        worker = self._worker(concurrency=concurrency, pool=pool, **options)
        return worker.start()

    def stop_worker(self) -> None:
        """No cook in the kitchen: tickets stay on the rail."""
        if self.worker is not None:
            self.worker.stop()

    def start_station(self, queue: str, concurrency: int = 1, name: str | None = None,
                      broker: str | None = None) -> CeleryWorker:
        """Another worker that takes tickets from the ``queue`` rail only (lesson 11: "pastry"),
        named ``name@<host>`` (default: the queue's name). ``broker``: another broker's URL for
        this worker (lesson 11: RabbitMQ); its results still go to Redis."""
        self.start_redis()
        name = name or queue
        station = CeleryWorker(self.run, self.app_environment(), concurrency=concurrency, queues=[queue],
                               hostname=f"{name}@%h", name=f"worker-{name}", requires=[self.redis],
                               settings={"ORDERUP_BROKER_URL": broker} if broker else None)
        self.stations[name] = self._keep_or_replace(self.stations.get(name), station)
        return self.stations[name].start()

    def stop_station(self, name: str) -> None:
        if name in self.stations:
            self.stations[name].stop()

    def start_flower(self) -> Flower:
        """Start Flower, the kitchen's monitor (lesson 11), on a Unix socket only this user reaches."""
        self.start_redis()
        if self.flower is None or not self.flower.running:
            self.flower = Flower(self.run, self.app_environment(), requires=[self.redis])
            # Flower logs "Connected" a moment before it subscribes to the events' channels (by a
            # pattern): wait until Redis counts one more pattern, or the next task goes unseen
            redis = self.redis.client()
            patterns = redis.pubsub_numpat()
            self.flower.start()
            wait_until(lambda: redis.pubsub_numpat() > patterns, timeout=10,
                       what="Flower to subscribe to the workers' events")
        if _django_owner is self:
            # Flower asks the workers to send events every 5 s; ask now, so it sees the next task
            from restaurant import celery_app
            celery_app.control.enable_events()
        return self.flower

    def stop_flower(self) -> None:
        if self.flower is not None:
            self.flower.stop()

    def start_rabbitmq(self) -> RabbitMQServer:
        """Start a private RabbitMQ broker for this kernel (lesson 11). Raises RabbitMQNotFound,
        which says what to install, when there is no rabbitmq-server."""
        if self.rabbitmq is None:
            self.rabbitmq = RabbitMQServer(self.run)
        if not self.rabbitmq.running:
            self.rabbitmq.start()
        return self.rabbitmq

    def rabbitmq_if_installed(self) -> RabbitMQServer | None:
        """``start_rabbitmq()``, or None with a note on how to install it when there is none: the
        lesson's RabbitMQ cells then show nothing instead of failing."""
        try:
            return self.start_rabbitmq()
        except RabbitMQNotFound as missing:
            print(f"No RabbitMQ here, so the RabbitMQ cells below show nothing.\n{missing}")
            return None

    def celery(self, *args: str, timeout: float = 30) -> str:
        """Run the `celery -A restaurant ...` command line against this kitchen and return what it
        prints, as a terminal would show it (`kitchen.celery("inspect", "active")`)."""
        self.start_redis()
        env = {**os.environ, **self.app_environment()}
        done = subprocess.run([sys.executable, "-m", "celery", "-A", "restaurant", *args], env=env,
                              cwd=course_root(), capture_output=True, text=True, timeout=timeout)
        return (done.stdout + done.stderr).rstrip()

    def _beat(self, name: str = "beat", extra_args: list[str] | None = None) -> CeleryBeat:
        """The running beat of that name, or a new one (not started)."""
        beat = self.beats.get(name)
        if beat is None or not beat.running:
            beat = self.beats[name] = CeleryBeat(self.run, self.app_environment(), extra_args=extra_args,
                                                 name=name, requires=[self.redis])
        return beat

    def start_beat(self, name: str = "beat", extra_args: list[str] | None = None) -> CeleryBeat:
        """Start beat (one scheduler per schedule: a second one, by another ``name``, duplicates)."""
        self.start_redis()
        return self._beat(name, extra_args).start()

    def stop_beat(self, name: str = "beat") -> None:
        if name in self.beats:
            self.beats[name].stop()

    def _daphne(self, port: int | None = None, settings: dict | None = None) -> Daphne:
        """The running Daphne if it fits (same settings; same port, if one is asked), or a new one."""
        if port is None and self.daphne is not None and self.daphne.running:
            port = self.daphne.options["port"]  # "any port" is happy with the one it has
        daphne = Daphne(self.run, self.app_environment(), port=port, settings=settings,
                        requires=[self.redis], door_key=self.door_key)
        self.daphne = self._keep_or_replace(self.daphne, daphne)
        return self.daphne

    def start_daphne(self, port: int | None = None, settings: dict | None = None) -> Daphne:
        """Start Daphne. ``settings``: extra environment (``{"ORDERUP_CHANNEL_LAYER": "memory"}``);
        a running Daphne with other settings is replaced."""
        self.start_redis()
        return self._daphne(port, settings).start()

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
        return self.one_waiter.start()

    # -- all at once ----------------------------------------------------------------------------
    def open(self, worker: bool = True, daphne: bool = True, beat: bool = False,
             concurrency: int | None = None, fresh: bool = True) -> "Restaurant":
        """Start Redis, then the worker and Daphne (and beat if asked) side by side.

        ``fresh``: open for a new day, empty (:meth:`clear`): whatever an earlier notebook or an
        earlier run of this one left in this kernel's restaurant is gone, so a lesson starts from
        the same restaurant every time, and shows the same order numbers."""
        self.start_redis()
        if fresh:
            self.clear()
        wanted = []
        if worker:
            wanted.append(self._worker(concurrency=concurrency or default_concurrency(), pool="prefork"))
        if daphne:
            wanted.append(self._daphne())
        if beat:
            wanted.append(self._beat())
        start_together(wanted)
        return self

    def clear(self) -> None:
        """Empty the restaurant: every row of its database (order numbers start at 1 again), and
        what Redis holds for it: tickets on every rail and held by workers, results, the pass's
        groups, the cache (trails, counters). kombu's queue bindings stay: running workers use them."""
        broker = self.redis.client(0)
        stale = [k for k in broker.scan_iter(count=1000) if not k.startswith("_kombu.binding")]
        if stale:
            broker.delete(*stale)
        for db in (1, 2, 3):
            self.redis.client(db).flushdb()
        if _django_owner is self:
            from django.core.management import call_command
            call_command("flush", interactive=False, verbosity=0)  # and resets the ids' sequences
        else:
            env = {**os.environ, **self.app_environment()}
            subprocess.run([sys.executable, "-m", "django", "flush", "--noinput", "--verbosity=0"],
                           cwd=course_root(), env=env, check=True, capture_output=True)

    def close(self) -> "Restaurant":
        """Stop every service, the door first and Redis last. The run folder (logs) stays."""
        for service in (self.flower, self.one_waiter, self.daphne, *self.beats.values(),
                        *self.stations.values(), self.worker, self.rabbitmq, self.redis):
            if service is not None:
                service.stop()
        return self

    # -- Django in this process --------------------------------------------------------------------
    def prepare_django(self) -> None:
        """Point this process's Django at our Redis and run folder, and apply migrations.

        In a kernel this runs as soon as labkit is imported, so the restaurant's code (models,
        tasks) can be imported in any order; it needs no running service."""
        global _django_owner
        if _django_owner is self:
            return
        if self.in_process_django and _django_owner is None:
            os.environ.update(self.app_environment())
            # Jupyter runs cells inside an event loop; Django's ORM refuses that unless told it is
            # fine. Only the kernel gets this: the worker and Daphne run without it.
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            # this checkout's restaurant, as the worker and Daphne import it (not an installed copy)
            root = str(course_root())
            if root not in sys.path[:1]:
                sys.path.insert(0, root)
            import django
            from django.conf import settings
            from django.core.management import call_command
            django.setup()
            if settings.REDIS_URL != self.redis_url:
                raise LabkitError(
                    "This kernel loaded the restaurant's Django settings before labkit, so they point "
                    "at the wrong Redis.\nRestart the kernel and `import labkit` before importing "
                    "the restaurant's code."
                )
            call_command("migrate", verbosity=0, interactive=False)
            _django_owner = self
        else:
            # Django in this process is not ours (a test process, or a second restaurant):
            # migrate this run's database in a separate process.
            env = {**os.environ, **self.app_environment()}
            subprocess.run([sys.executable, "-m", "django", "migrate", "--verbosity=0"],
                           cwd=course_root(), env=env, check=True, capture_output=True)

    # -- looking at it -------------------------------------------------------------------------------
    def status(self) -> Table:
        rows = []
        for s in self.services:
            rows.append({
                "service": s.name,
                "state": s.state,
                "process": f"pid {s.pid}" if s.running else "",
                "address": f"127.0.0.1:{s.port}" if s.running and s.port else "",
                "up": fmt_duration(s.uptime) if s.running else "",
                "log": str(s.log_path),
            })
        return Table(rows, ["service", "state", "process", "address", "up", "log"])

    def is_idle(self) -> bool:
        """No ticket on the rail, none held by a worker, and no task running (the worker says so).

        A worker that does not answer counts as busy: silence is not an answer."""
        from restaurant import celery_app
        broker = self.redis.client(0)
        if broker.llen("celery") or broker.hlen("unacked"):
            return False
        active = celery_app.control.inspect(timeout=1.0, limit=1).active()
        return bool(active) and not any(active.values())

    def memory(self) -> int:
        """Resident memory of every running service (and its children), in bytes."""
        return sum(s.memory() for s in self.services)

    def _repr_html_(self) -> str:
        return self.status()._repr_html_()

    def __repr__(self) -> str:
        return repr(self.status())


def default_concurrency() -> int:
    """Pool processes for a worker when a lesson does not say: one fewer on a small machine."""
    return 1 if machine().small else 2


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

