"""Looking inside the private RabbitMQ (rabbitmq.py): its queues and their messages, by
rabbitmqctl (every queue, ready and unacknowledged) or by AMQP (one queue, ready only). A part of
RabbitMQServer."""
from __future__ import annotations

import json
import subprocess

import amqp

from labkit.runtime.errors import LabkitError
from labkit.runtime.ports import free_port


class RabbitMQQueues:
    """RabbitMQServer's methods for reading its queues (they use its node, files and connection)."""

    def rabbitmqctl(self, *args: str, timeout: float = 30.0) -> str:
        """Run ``rabbitmqctl ARGS`` against this node and return its output. Each call starts an
        Erlang VM: about 0.6 s here. Prefer :meth:`queue_depth` for a queue you can name."""
        if not self.running:
            raise LabkitError("RabbitMQ is not running: start it first (rabbitmq.start()).")
        env = self.environment()
        ctl_port = free_port()  # the CLI joins the node as a hidden Erlang node: its own port
        env.update(RABBITMQ_CTL_DIST_PORT_MIN=str(ctl_port), RABBITMQ_CTL_DIST_PORT_MAX=str(ctl_port))
        done = subprocess.run([str(self.ctl), "-n", self.node, *args], env=env, cwd=self.dir,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise LabkitError(f"rabbitmqctl {' '.join(args)} failed (code {done.returncode}):\n"
                              f"{(done.stdout + done.stderr).strip()}")
        return done.stdout

    def list_queues(self) -> list[dict]:
        """Every queue of the vhost "/" with its messages: ``[{"name", "messages_ready",
        "messages_unacknowledged", "consumers"}, ...]``, sorted by name. Uses rabbitmqctl (the
        only way to *list* queues without the management plugin): about 0.6 s a call."""
        out = self.rabbitmqctl("-q", "list_queues", "--formatter", "json",
                               "name", "messages_ready", "messages_unacknowledged", "consumers")
        return sorted(json.loads(out or "[]"), key=lambda q: q["name"])

    def queue(self, name: str) -> dict | None:
        """One queue of :meth:`list_queues` (ready, unacknowledged, consumers), or None."""
        return next((q for q in self.list_queues() if q["name"] == name), None)

    def counts(self, name: str) -> tuple[int, int]:
        """(ready, unacknowledged) messages of queue ``name``: waiting, and held by a consumer."""
        queue = self.queue(name) or {"messages_ready": 0, "messages_unacknowledged": 0}
        return queue["messages_ready"], queue["messages_unacknowledged"]

    def queue_depth(self, name: str) -> dict | None:
        """One queue's ready messages and consumers through AMQP (a passive declare: a few ms),
        or None if there is no such queue. Messages a consumer holds unacked are not counted."""
        with self.connection(connect_timeout=5) as conn:
            try:
                _, ready, consumers = conn.default_channel.queue_declare(name, passive=True)
            except amqp.exceptions.NotFound:
                return None
        return {"name": name, "messages_ready": ready, "consumers": consumers}
