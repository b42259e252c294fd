"""restaurant/production.py's choices that no lesson runs in the restaurant itself, each tried for real:
the buzz's connection tries again while Redis restarts (lesson 04's retries, where the cook calls out),
and a line logged inside a task carries the task's id (lesson 12)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import redis
from channels_redis.core import RedisChannelLayer

import restaurant.production as production
import restaurant.settings as plain
from labkit.runtime.ports import free_port
from labkit.runtime.run import Run
from labkit.services.redis import RedisServer

from conftest import ROOT


def buzz_while_redis_restarts(settings, server: RedisServer) -> str:
    """A table's buzz through a channel layer configured as ``settings`` configures it (on this Redis),
    sent once, then again just as Redis is stopped and started."""
    hosts = [{**host, "address": f"{server.url}/2"} for host in settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]]

    async def buzz_twice() -> str:
        layer = RedisChannelLayer(hosts=hosts)
        message = {"type": "order.update", "order": {"id": 1, "status": "ready"}}
        await layer.group_send("table_5", message)
        server.stop()
        back = asyncio.get_running_loop().run_in_executor(None, server.start)  # while the buzz is tried
        try:
            await layer.group_send("table_5", message)
            outcome = "sent"
        except redis.ConnectionError as error:
            outcome = type(error).__name__
        await back
        await layer.close_pools()
        return outcome

    return asyncio.run(buzz_twice())


def test_a_buzz_during_a_redis_restart_is_sent_with_the_production_settings_and_lost_without(tmp_path):
    server = RedisServer(Run(tmp_path / "run"), port=free_port()).start()  # the same port after a restart
    try:
        assert buzz_while_redis_restarts(plain, server) == "ConnectionError"
        assert buzz_while_redis_restarts(production, server) == "sent"
    finally:
        server.stop()


SWEEP = """
import django; django.setup()
from datetime import timedelta
from django.core.management import call_command
from django.utils import timezone
from restaurant.orders.models import Order
from restaurant.orders.sweeps import resend_lost_tickets
call_command("migrate", verbosity=0)
order = Order.objects.create(table=5, item="soup")
Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=1))
resend_lost_tickets.apply(task_id="the-sweeps-own-id")
import logging; logging.getLogger("restaurant.orders.sweeps").warning("and a line outside any task")
"""


def test_the_sweeps_warning_carries_its_task_id_with_the_production_settings(tmp_path):
    server = RedisServer(Run(tmp_path / "run")).start()  # the sweep sends the lost order's ticket here
    try:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "restaurant.production", "REDIS_URL": server.url,
               "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
        said = subprocess.run([sys.executable, "-c", SWEEP], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=60, check=True).stderr
        assert server.client().llen("celery") == 1, said  # the ticket sent again
    finally:
        server.stop()
    lines = said.splitlines()
    assert any(line.endswith("restaurant.orders.sweeps restaurant.orders.sweeps.resend_lost_tickets"
                             "[the-sweeps-own-id]: order 1: no cook started it in 600 s, its ticket is sent again")
               for line in lines), said
    assert any(line.endswith("restaurant.orders.sweeps ???[???]: and a line outside any task") for line in lines), said
