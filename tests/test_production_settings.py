"""restaurant/production.py's choices that no lesson runs in the restaurant itself, each tried for real:
the buzz's connection tries again while Redis restarts (lesson 04's retries, where the cook calls out),
and a line logged inside a task carries the task's id (lesson 20)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import redis
from channels_redis.core import RedisChannelLayer

import restaurant.production as production
import restaurant.settings as plain
from labkit.runtime.ports import quiet_port
from labkit.runtime.run import Run
from labkit.services.redis import RedisServer

from conftest import ROOT


def buzz_while_redis_restarts(settings, server: RedisServer) -> str:
    """A buzz through a channel layer configured as ``settings`` configures it (on this Redis): one
    heard, then one sent just as Redis is stopped and started. Returns "heard" (the buzzer got it),
    or the error the sender got. The buzz goes to the buzzer's own channel: the retry belongs to the
    connection, which group_send uses alike, and this Redis keeps no group across its restart."""
    hosts = [{**host, "address": f"{server.url}/2"} for host in settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]]

    async def buzz_twice() -> str:
        layer = RedisChannelLayer(hosts=hosts)
        buzzer = await layer.new_channel()
        await layer.send(buzzer, {"type": "order.update", "n": 1})
        assert (await asyncio.wait_for(layer.receive(buzzer), timeout=10))["n"] == 1  # a connection in the pool
        server.stop()
        back = asyncio.get_running_loop().run_in_executor(None, server.start)  # while the buzz is tried
        try:
            await layer.send(buzzer, {"type": "order.update", "n": 2})
        except redis.ConnectionError as error:
            outcome = type(error).__name__
        else:
            heard = await asyncio.wait_for(layer.receive(buzzer), timeout=10)
            outcome = "heard" if heard["n"] == 2 else f"heard {heard}"
        await back
        await layer.close_pools()
        return outcome

    return asyncio.run(buzz_twice())


def test_a_buzz_during_a_redis_restart_is_heard_with_the_production_settings_and_lost_without(tmp_path):
    # a port below the ephemeral range: nobody is handed it while Redis restarts on it
    with RedisServer(Run(tmp_path / "run"), port=quiet_port(), port_was_picked=True) as server:
        assert buzz_while_redis_restarts(plain, server) == "ConnectionError"
        assert buzz_while_redis_restarts(production, server) == "heard"


SWEEP = """
import django, logging, sys; django.setup()
logging.basicConfig(stream=sys.stderr, format="root's handler: %(message)s")  # as Celery's worker gives the root one
from datetime import timedelta
from django.core.management import call_command
from django.utils import timezone
from restaurant.orders.models import Order
from restaurant.orders.sweeps import resend_lost_tickets
call_command("migrate", verbosity=0)
order = Order.objects.create(table=5, item="soup")
Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=1))
resend_lost_tickets.apply(task_id="the-sweeps-own-id")
logging.getLogger("restaurant.orders.sweeps").warning("and a line outside any task")
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
    assert said.count("its ticket is sent again") == 1, said  # written once: not again through the root logger
