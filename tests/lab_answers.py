"""Other answers to every lab exercise, as learners write them: each check must refuse the wrong
ones with its hint (never another exception) and pass the right ones written another way.

tests/lab_runs.py puts each answer in place of the exercise's solution block (a list: one entry per
block of the exercise cell, None keeping the solution's) and runs the cells up to the check.
Keyed by exercise, as the checks name them: "05.2" is lab 05, exercise 2.
"""

ANSWERS: dict[str, dict[str, dict[str, str | list[str | None]]]] = {
    # --- 00 open the restaurant
    "00.1": {
        "wrong": {"the kernel's own pid": "import os\nredis_pid = os.getpid()",
                  "the whole info dict": 'redis_pid = r.info("server")'},
        "right": {"as text, from INFO's section": 'redis_pid = int(str(r.info()["process_id"]))'},
    },
    "00.2": {
        "wrong": {"the response, not the id": 'order_id = labkit.TestClient().post("/orders/", {"table": 7, "item": "pancakes"})',
                  "the wrong table": 'order_id = labkit.TestClient().post("/orders/", {"table": 6, "item": "pancakes"}).json()["id"]'},
        "right": {"the response kept first": 'response = labkit.TestClient().post("/orders/", {"item": "pancakes", "table": "7"})\n'
                                              'order_id = int(response.json()["id"])'},
    },
    "00.3": {
        "wrong": {"the broker's list": 'result_key = "celery"',
                  "a key of another database": 'result_key = "_kombu.binding.celery"',
                  "not a string": "result_key = 42"},
        "right": {"found by the task's id": (
            "import json\nresults = kitchen.redis.client(db=1)\n"
            "labkit.wait_until(lambda: any(json.loads(results.get(k))['result']['id'] == order_id\n"
            "                              for k in results.keys('celery-task-meta-*')), what='the result')\n"
            "result_key = [k for k in results.keys('celery-task-meta-*')\n"
            "              if json.loads(results.get(k))['result']['id'] == order_id][0]")},
    },
    # --- 01 the waiter problem
    "01.1": {
        "wrong": {"not timed": 'waiter.post("/orders/", {"table": 3})\nseconds = 0',
                  "timed without posting": "start = time.perf_counter()\nseconds = time.perf_counter() - start"},
        "right": {"time.monotonic, in milliseconds then seconds": (
            'began = time.monotonic()\nwaiter.post("/orders/", {"table": 3})\n'
            'seconds = (time.monotonic() - began) * 1000 / 1000')},
    },
    "01.2": {
        "wrong": {"a list, not a number": 'waiting = r.lrange("celery", 0, -1)',
                  "another list": 'waiting = r.llen("express")'},
        "right": {"counted from the list": 'waiting = len(r.lrange("celery", 0, -1))'},
    },
    "01.3": {
        "wrong": {"the queueing waiter": 'rush = labkit.rush(kitchen.start_one_waiter().url, "/orders/", customers=3)',
                  "one customer": 'rush = labkit.rush(kitchen.start_one_waiter().url, "/orders/inline/", customers=1)'},
        "right": {"keywords in another order": (
            'one = kitchen.start_one_waiter()\nrush = labkit.rush(one.url, "/orders/inline/", customers=3)')},
    },
    # --- 02 tickets on the rail
    "02.1": {
        "wrong": {"any countdown": "later = cook_order.apply_async(args=[order.id], countdown=5)",
                  "an hour": "later = cook_order.apply_async(args=[order.id], countdown=3600)",
                  "no delay at all": "later = cook_order.delay(order.id)"},
        "right": {"an eta, a minute from now": (
            "from datetime import timedelta\n"
            "later = cook_order.apply_async((order.id,), eta=datetime.now(timezone.utc) + timedelta(seconds=60))")},
    },
    "02.2": {
        "wrong": {"the envelope, not the body": 'body = json.loads(r.lindex("celery", 0))',
                  "still base64": 'body = json.loads(r.lindex("celery", 0))["body"]',
                  "the args alone": 'body = json.loads(base64.b64decode(json.loads(r.lindex("celery", 0))["body"]))[0]'},
        "right": {"with labkit's decoder's pieces": (
            'raw = r.lrange("celery", 0, 0)[0]\nbody = json.loads(base64.b64decode(json.loads(raw)["body"]).decode())')},
    },
    "02.3": {
        "wrong": {"the default queue": 'cook_order.apply_async(args=[order.id])\nexpress_waiting = r.llen("express")',
                  "a routing key only": ('cook_order.apply_async(args=[order.id], routing_key="express")\n'
                                         'express_waiting = r.llen("celery")')},
        "right": {"counted as a list": ('cook_order.apply_async((order.id,), queue="express")\n'
                                        'express_waiting = len(r.lrange("express", 0, -1))')},
    },
    "02.4": {
        "wrong": {"no name": "@shared_task", "another name": '@shared_task(name="kitchen.salt")'},
        "right": {"the app's decorator": "from restaurant import celery_app\n\n@celery_app.task(name='kitchen.season')"},
    },
    # --- 03 the cook
    "03.1": {
        "wrong": {"no worker": "rail_after = r.llen('celery')",
                  "a worker, not waited for": "kitchen.start_worker()\nrail_after = 'empty'"},
        "right": {"waited by hand": ("import time\nkitchen.start_worker()\n"
                                     "while r.llen('celery'):\n    time.sleep(0.1)\nrail_after = r.llen('celery')")},
    },
    "03.2": {
        "wrong": {"not waited for": "result = cook_order.delay(order.id)\nstate = 'done'",
                  "the result, not the state": "state = cook_order.delay(order.id).get(timeout=10)"},
        "right": {"the status after wait()": ("from celery.result import AsyncResult\n"
                                              "sent = cook_order.delay(order.id)\nsent.wait(timeout=10)\n"
                                              "state = AsyncResult(sent.id).status")},
    },
    "03.3": {
        "wrong": {"the key's value": 'ttl = results.get(f"celery-task-meta-{result.id}")',
                  "a key that does not exist": 'ttl = results.ttl("celery-task-meta-")',
                  "in milliseconds": 'ttl = results.pttl(f"celery-task-meta-{result.id}")'},
        "right": {"from the setting": "ttl = results.ttl('celery-task-meta-' + result.id)"},
    },
    "03.4": {
        "wrong": {"a plain function": 'def plate(dish: str) -> str:\n    return f"{dish}, plated"',
                  "the wrong words": '@shared_task\ndef plate(dish: str) -> str:\n    return f"plated {dish}"'},
        "right": {"the app's decorator": ('from restaurant import celery_app\n\n\n@celery_app.task\n'
                                          'def plate(dish):\n    return dish + ", plated"')},
    },
    # --- 04 retries
    "04.1": {
        "wrong": {"the AsyncResult, not its result": "outcome = charge_card.delay(order.id, fail_first=1)",
                  "a gateway that never fails": "outcome = charge_card.delay(order.id).get(timeout=10)"},
        "right": {"apply_async with kwargs": ("outcome = charge_card.apply_async(args=(order.id,), "
                                              "kwargs={'fail_first': 1}).get(timeout=10)")},
    },
    "04.2": {
        "wrong": {"the state before the end": "final_state = charge_card.delay(order.id, fail_first=5).state",
                  "a gateway that recovers": ("result = charge_card.delay(order.id, fail_first=2)\n"
                                              "result.get(timeout=15, propagate=False)\nfinal_state = result.state")},
        "right": {"the error caught": ("result = charge_card.delay(order.id, fail_first=5)\ntry:\n"
                                       "    result.get(timeout=15)\nexcept Exception:\n    pass\n"
                                       "final_state = result.status")},
    },
    "04.3": {
        "wrong": {"the message, not the class": (
            "try:\n    cook_order.apply_async(args=[order.id], ignore_result=True, retry=True,\n"
            "                           retry_policy={'max_retries': 2, 'interval_start': 0, 'interval_step': 0.5})\n"
            "    error_name = None\nexcept Exception as error:\n    error_name = str(error)"),
                  "not caught: nothing sent": "error_name = None"},
        "right": {"the class itself, named": (
            "from kombu.exceptions import OperationalError\ntry:\n"
            "    cook_order.apply_async(args=[order.id], ignore_result=True,\n"
            "                           retry_policy=dict(max_retries=2, interval_start=0, interval_step=0.5))\n"
            "except OperationalError as error:\n    error_name = error.__class__.__name__")},
    },
    "04.4": {
        "wrong": {"no retry": "@shared_task",
                  "retries without waiting": "@shared_task(autoretry_for=(gateway.GatewayTimeout,), max_retries=3)"},
        "right": {"retry_kwargs and retry_backoff=True": (
            "@shared_task(autoretry_for=(gateway.GatewayTimeout,), retry_kwargs={'max_retries': 3},\n"
            "             retry_backoff=True, retry_jitter=False)")},
    },
    # --- 05 crashes and acks_late
    "05.1": {
        "wrong": {"the rail": 'held_keys = {"celery"}',
                  "only one of them": 'held_keys = {"unacked"}'},
        "right": {"from Redis itself": 'held_keys = {key for key in r.keys("unacked*") if key != "unacked_mutex"}'},
    },
    "05.2": {
        "wrong": {"its name, not the task": 'survivor = "cook_order_acks_late"',
                  "the early ack": "survivor = cook_order"},
        "right": {"the one that also rejects a lost process": "survivor = cook_order_reject_on_worker_lost"},
    },
    "05.3": {
        "wrong": {"late ack alone": "comes_back = cook_order_acks_late",
                  "a setting's name": 'comes_back = "task_reject_on_worker_lost"'},
        "right": {"from its module": ("from restaurant.orders import acks\n"
                                      "comes_back = acks.cook_order_reject_on_worker_lost")},
    },
    "05.4": {
        "wrong": {"the default ack": "@shared_task", "late ack switched off": "@shared_task(acks_late=False)"},
        "right": {"the app's decorator, with the rejection too": (
            "from restaurant import celery_app\n\n\n@celery_app.task(acks_late=True, reject_on_worker_lost=True)")},
    },
    # --- 06 idempotency
    "06.1": {
        "wrong": {"plain SET": ('first = claims.set("lab:claim:order:42", "mine")\n'
                                'second = claims.set("lab:claim:order:42", "mine too")'),
                  "two keys": ('first = claims.set("lab:claim:order:42", "mine", nx=True)\n'
                               'second = claims.set("lab:claim:order:43", "mine too", nx=True)')},
        "right": {"SETNX": ('first = bool(claims.setnx("lab:claim:order:42", "mine"))\n'
                            'second = claims.setnx("lab:claim:order:42", "mine too")')},
    },
    "06.2": {
        "wrong": {"check then act": "safe_at_once = charge_check_then_act",
                  "its name": 'safe_at_once = "charge_unique_key"'},
        "right": {"from its module": ("from restaurant.payments import idempotency\n"
                                      "safe_at_once = idempotency.charge_unique_key")},
    },
    "06.3": {
        "wrong": {"the unique key": "crash_safe = charge_unique_key", "naive": "crash_safe = charge_naive"},
        "right": {"from its module": ("from restaurant.payments import idempotency\n"
                                      "crash_safe = idempotency.charge_idempotent")},
    },
    "06.4": {
        "wrong": {"check the database first": (
            "if Charge.objects.filter(order_id=order_id).exists():\n        return \"already charged\""),
                  "a claim under a new key each time": (
            "if not cache.add(f\"my-charge:{time.time()}\", \"claimed\", timeout=3600):\n"
            "    return \"already charged\"")},
        "right": {"the cache's add, under another key": (
            "if cache.add(f\"once:{order_id}\", 1, 3600) is False:\n        return \"already charged\"")},
    },
    # --- 07 beat
    "07.1": {
        "wrong": {"the entry, not its schedule": 'bell_seconds = celery_app.conf.beat_schedule["ring-the-bell"]',
                  "a guess": "bell_seconds = 60"},
        "right": {"from Django's settings": ("from django.conf import settings\n"
                                             'bell_seconds = settings.CELERY_BEAT_SCHEDULE["ring-the-bell"]["schedule"]')},
    },
    "07.2": {
        "wrong": {"the kernel's pid": "import os\nsender_pid = os.getpid()",
                  "the origin as text": 'sender_pid = labkit.tickets()[0].headers["origin"]'},
        "right": {"with a regular expression": ("import re\n"
                                                'sender_pid = int(re.match(r"gen(\\d+)@", labkit.tickets()[-1].headers["origin"]).group(1))')},
    },
    "07.3": {
        "wrong": {"counted, not stopped": "beats_running = sum(b.running for b in kitchen.beats.values())",
                  "both stopped": ('for name in list(kitchen.beats):\n    kitchen.stop_beat(name)\n'
                                   "beats_running = 0")},
        "right": {"a list of the running": ('kitchen.stop_beat(name="second-beat")\n'
                                            "beats_running = len([b for b in kitchen.beats.values() if b.running])")},
    },
    "07.4": {
        "wrong": {"every 5 s": ('CELERY_BEAT_SCHEDULE = {"my-bell": {"task": "restaurant.orders.bells.ring_bell", '
                                '"schedule": 5.0}}'),
                  "the task's short name": 'CELERY_BEAT_SCHEDULE = {"my-bell": {"task": "ring_bell", "schedule": 2.0}}'},
        "right": {"a timedelta": ("from datetime import timedelta\n\nCELERY_BEAT_SCHEDULE = {\n"
                                  '    "my-bell": {"task": "restaurant.orders.bells.ring_bell", "schedule": timedelta(seconds=2)},\n}')},
    },
}
