"""Lessons 11 to 13's part of the kitchen: stations (workers for named queues), Flower, another broker
(RabbitMQ), and the `celery` command line, run against this kitchen; lesson 19's process manager
(supervisord, with the restaurant's own program files); and lesson 27's Uvicorn, a second ASGI
server, and `manage.py runserver`; lesson 30's worker of Django's own tasks. A part of Restaurant."""
from __future__ import annotations

import os
import subprocess
import sys

from labkit.kitchen import door_keys, kernel_django
from labkit.runtime.paths import course_root
from labkit.runtime.waiting import wait_until
from labkit.services.celery import CeleryWorker
from labkit.services.db_worker import DbWorker
from labkit.services.flower import Flower
from labkit.services.rabbitmq import RabbitMQNotFound, RabbitMQServer
from labkit.services.supervisor import Supervisord
from labkit.services.web import DevServer, Uvicorn


class MoreOfTheKitchen:
    """Restaurant's methods for lessons 11 to 13, 19, 27 and 30 (they use its run, Redis and environment)."""

    dev_server: DevServer | None = None  # lesson 27: manage.py runserver, with or without Daphne
    supervisor: Supervisord | None = None  # lesson 19: the process manager
    db_worker: DbWorker | None = None  # lesson 30: `manage.py db_worker`, Django's own tasks' worker

    def start_db_worker(self, interval: float = 1.0) -> DbWorker:
        """`manage.py db_worker`: runs the tasks Django's database backend keeps (settings.TASKS),
        looking for one every ``interval`` seconds while there is none."""
        self.start_redis()  # the cook it runs buzzes the tables through the channel layer
        wanted = DbWorker(self.run, self.app_environment(), interval=interval, requires=[self.redis])
        self.db_worker = self._keep_or_replace(self.db_worker, wanted).start()
        return self.db_worker

    def stop_db_worker(self) -> None:
        if self.db_worker is not None:
            self.db_worker.stop()

    def start_supervisor(self, files: list, settings: dict | None = None) -> Supervisord:
        """supervisord, running the programs of ``files`` (the restaurant's deploy/supervisor/worker.conf,
        or a copy of it) with this kitchen's environment; ``settings``: more environment for them
        (ORDERUP_PRODUCTION=1: restaurant/production.py's Celery and Channels settings). A supervisord
        this kitchen started before is stopped first."""
        self.start_redis()
        if self.supervisor is not None:
            self.supervisor.stop()
        env = {**self.app_environment(), "ORDERUP_PROGRAM": "worker", **(settings or {})}
        self.supervisor = Supervisord(self.run, env, files, requires=[self.redis]).start()
        return self.supervisor

    def start_station(self, queue: str, concurrency: int = 1, name: str | None = None,
                      broker: str | None = None) -> CeleryWorker:
        """Another worker that takes tickets from the ``queue`` rail only (lesson 11: "pastry"),
        named ``name@<host>`` (default: the queue's name). ``broker``: another broker's URL for
        this worker (lesson 13: RabbitMQ); its results still go to Redis."""
        self.start_redis()
        name = name or queue
        station = CeleryWorker(self.run, self.app_environment(), concurrency=concurrency, queues=[queue],
                               hostname=f"{name}@%h", name=f"worker-{name}", requires=[self.redis],
                               settings={"ORDERUP_BROKER_URL": broker} if broker else None,
                               include=self.your_modules)
        self.stations[name] = self._keep_or_replace(self.stations.get(name),
                                                    self._reads_your_code(station, self.your_modules))
        return self.stations[name].start()

    def stop_station(self, name: str) -> None:
        if name in self.stations:
            self.stations[name].stop()

    def start_uvicorn(self, settings: dict | None = None) -> Uvicorn:
        """Uvicorn serving the restaurant's ASGI application (Daphne's, behind the same door) on a
        port of its own. ``settings``: extra environment, as for Daphne."""
        self.start_redis()
        uvicorn = self._reads_your_code(Uvicorn(self.run, self.app_environment(), settings=settings,
                                                requires=[self.redis], door_key=self.door_key))
        self.uvicorn = self._keep_or_replace(self.uvicorn, uvicorn).start()
        door_keys.register(self.uvicorn.port, self.door_key)
        return self.uvicorn

    def start_dev_server(self, daphne_app: bool = False) -> DevServer:
        """`manage.py runserver` (lesson 27): Django's WSGI server, or, with ``daphne_app`` ("daphne" in
        INSTALLED_APPS), Daphne's, which serves WebSockets too. One at a time: a running one with the
        other setting is stopped first."""
        self.start_redis()
        server = self._reads_your_code(DevServer(self.run, self.app_environment(), requires=[self.redis],
                                                 door_key=self.door_key, daphne_app=daphne_app))
        self.dev_server = self._keep_or_replace(self.dev_server, server).start()
        door_keys.register(self.dev_server.port, self.door_key)
        return self.dev_server

    def start_flower(self) -> Flower:
        """Start Flower, the kitchen's monitor (lesson 12), on a Unix socket only this user reaches."""
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
        if kernel_django.owner() is self:
            # Flower asks the workers to send events every 5 s; ask now, so it sees the next task
            from restaurant import celery_app
            celery_app.control.enable_events()
        return self.flower

    def stop_flower(self) -> None:
        if self.flower is not None:
            self.flower.stop()

    def start_rabbitmq(self) -> RabbitMQServer:
        """Start a private RabbitMQ broker for this kernel (lesson 13). Raises RabbitMQNotFound,
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
