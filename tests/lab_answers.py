"""Other answers to every lab exercise, as learners write them: each check must refuse the wrong
ones with its hint (never another exception) and pass the right ones written another way.

tests/lab_runs.py puts each answer in place of the exercise's solution block (a list: one entry per
block of the exercise cell, None keeping the solution's) and runs the cells up to the check.
Keyed by exercise, as the checks name them: "05.2" is lab 05, exercise 2.
"""



def joins(group: str) -> str:
    """Lab 22's connect: refuse a socket nobody has logged in on, then join ``group`` (an expression)."""
    return ("if not user.is_authenticated:\n    await self.close()\n    return\n"
            f"self.group = {group}\nawait self.channel_layer.group_add(self.group, self.channel_name)")


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
    "00.4": {
        "wrong": {"no return": 'JsonResponse({"pid": os.getpid()})',
                  "the pid, not a response": "return os.getpid()"},
        "right": {"as text, psutil's pid": "import psutil\nfrom django.http import HttpResponse\n\n"
                                           "return HttpResponse(f'{psutil.Process().pid}\\n')"},
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
    "01.4": {
        "wrong": {"the order, not its id, on the rail": "cook_order.delay(order)\nreturn JsonResponse(order.as_dict(), status=202)",
                  "cooks in a thread of its own": (
                      "import threading\n\nthreading.Thread(target=cook_order, args=(order.id,)).start()\n"
                      "return JsonResponse(order.as_dict(), status=202)")},
        "right": {"apply_async, answering 200": (
            "cook_order.apply_async(args=[order.id])\nreturn JsonResponse({'id': order.id, 'status': order.status})")},
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
        "wrong": {"a backoff, but nothing to retry on": "@shared_task(retry_backoff=1, retry_jitter=False, max_retries=3)",
                  "retries on another exception": ("@shared_task(autoretry_for=(ConnectionError,), retry_backoff=1, "
                                                   "retry_jitter=False, max_retries=3)")},
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
        "right": {"from its module": ("from restaurant.techniques import acknowledgement\n"
                                      "comes_back = acknowledgement.cook_order_reject_on_worker_lost")},
    },
    "05.4": {
        # the lab as shipped is the default ack (a drill of its own): these two are the other mistakes
        "wrong": {"late ack switched off": "@shared_task(acks_late=False)",
                  "no task at all": "# (no decorator: a plain function)"},
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
        "right": {"from its module": ("from restaurant.techniques import idempotency\n"
                                      "safe_at_once = idempotency.charge_unique_key")},
    },
    "06.3": {
        "wrong": {"the unique key": "crash_safe = charge_unique_key", "naive": "crash_safe = charge_naive"},
        "right": {"from its module": ("from restaurant.techniques import idempotency\n"
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
        "wrong": {"every 5 s": ('CELERY_BEAT_SCHEDULE = {"my-bell": {"task": "restaurant.techniques.periodic.ring_bell", '
                                '"schedule": 5.0}}'),
                  "the task's short name": 'CELERY_BEAT_SCHEDULE = {"my-bell": {"task": "ring_bell", "schedule": 2.0}}'},
        "right": {"a timedelta": ("from datetime import timedelta\n\nCELERY_BEAT_SCHEDULE = {\n"
                                  '    "my-bell": {"task": "restaurant.techniques.periodic.ring_bell", "schedule": timedelta(seconds=2)},\n}')},
    },
    # --- 08 buzzers
    "08.1": {
        "wrong": {"another table": 'buzzer7 = await websockets.connect(daphne.socket_url("ws/table/8/"), origin=daphne.url)',
                  "not awaited": 'buzzer7 = websockets.connect(daphne.socket_url("ws/table/7/"), origin=daphne.url)'},
        "right": {"websockets' asyncio client by name": (
            "from websockets.asyncio.client import connect\n"
            'buzzer7 = await connect(daphne.socket_url("ws/table/7/"), origin=daphne.url)')},
    },
    "08.2": {
        "wrong": {"another table's group": ('await layer.group_send("table_8", {"type": "order.update",\n'
                                            '    "order": {"id": 70, "table": 7, "item": "pie", "status": "ready"}})'),
                  "the order without its id": ('await layer.group_send("table_7", {"type": "order.update",\n'
                                               '    "order": {"table": 7, "status": "ready"}})')},
        "right": {"the handler's own name as the type": (
            'message = {"type": "order_update", "order": {"status": "ready", "id": 70, "table": 7}}\n'
            'await layer.group_send("table_7", message)')},
    },
    "08.3": {
        "wrong": {"the coroutine, never awaited": "self.channel_layer.group_add(self.group, self.channel_name)",
                  "one group for every table": 'async_to_sync(self.channel_layer.group_add)("table", self.channel_name)'},
        "right": {"the group spelled out": (
            "table = self.scope['url_route']['kwargs']['table']\n"
            'async_to_sync(self.channel_layer.group_add)(f"table_{table}", self.channel_name)')},
    },
    "08.4": {
        "wrong": {"a method named after the word": 'async def delayed(self, event):\n    await self.send_json({"delayed_by": event["minutes"]})',
                  "a sync handler in an async consumer": (
                      'def order_delayed(self, event):\n    self.send_json({"delayed_by": event["minutes"]})')},
        "right": {"send with text": ('async def order_delayed(self, event):\n    import json\n'
                                     '    await self.send(text_data=json.dumps({"delayed_by": event["minutes"]}))')},
    },
    # --- 09 order up
    "09.1": {
        "wrong": {"the buzzes, not their statuses": (
            'buzzer3 = await labkit.Buzzer.connect(3)\n_, pie = await asyncio.to_thread(waiter.post, "/orders/", {"table": 3, "item": "pie"})\n'
            'await buzzer3.wait_for("ready", pie["id"])\nheard = buzzer3.buzzes'),
                  "read before the ready": (
            'buzzer3 = await labkit.Buzzer.connect(3)\n_, pie = await asyncio.to_thread(waiter.post, "/orders/", {"table": 3, "item": "pie"})\n'
            'heard = [b["order"]["status"] for b in buzzer3.buzzes if b["order"]["id"] == pie["id"]]')},
        "right": {"its own order's buzzes, polled": (
            'table3 = await labkit.Buzzer.connect(3)\nstatus, order = await asyncio.to_thread(waiter.post, "/orders/", {"item": "pie", "table": 3})\n'
            'mine = lambda: [buzz["order"]["status"] for buzz in table3.buzzes if buzz["order"]["id"] == order["id"]]\n'
            'while len(mine()) < 2:\n    await asyncio.sleep(0.05)\nheard = mine()')},
    },
    "09.2": {
        "wrong": {"the other way round": 'pass_seconds = trail.at("cook: buzzer pressed (ready)") - trail.at("buzzer: order.update (ready)")',
                  "in milliseconds": ('pass_seconds = (trail.at("buzzer: order.update (ready)")\n'
                                      '                - trail.at("cook: buzzer pressed (ready)")) * 1000')},
        "right": {"the trail's own leg": 'pass_seconds = trail.leg("cook: buzzer pressed (ready)", "buzzer: order.update (ready)")'},
    },
    "09.3": {
        "wrong": {"the cache's database": 'from django.conf import settings\ngroup_db = settings.REDIS_DATABASES["cache"]',
                  "the broker's": "group_db = 0"},
        "right": {"found by looking": 'group_db = next(db for db in range(16) if kitchen.redis.client(db=db).exists("asgi:group:table_3"))'},
    },
    # --- 10 debugging as a relay
    "10.1": {
        "wrong": {"the cook's side of the group": (
            'hop_a = "group"\nfile_a = "restaurant/orders/tasks.py"\n'
            'line_a = project.line_of(file_a, "group_send)(f\\"table_")'),
                  "the socket, the right line": (
            'hop_a = "socket"\nfile_a = "restaurant/orders/consumers.py"\n'
            "line_a = project.line_of(file_a, 'f\"tables_')")},
        "right": {"the whole path, the line as text": (
            "hop_a = 'group'\nfile_a = str(project.dir / 'restaurant' / 'orders' / 'consumers.py')\n"
            "line_a = str([n for n, text in enumerate(open(file_a), 1) if 'tables_' in text][0])")},
    },
    "10.2": {
        "wrong": {"the sender's type": (
            'hop_b = "consumer"\nfile_b = "restaurant/orders/tasks.py"\n'
            "line_b = project.line_of(file_b, '\"type\": \"order.update\"')"),
                  "the other consumer's handler": (
            'hop_b = "consumer"\nfile_b = "restaurant/orders/consumers.py"\n'
            'line_b = project.line_of(file_b, "def order_update(")')},
        "right": {"a relative path, the line counted": (
            "file_b = './restaurant/orders/consumers.py'\nhop_b = 'consumer'\n"
            "line_b = next(n for n, text in enumerate(project.path('restaurant/orders/consumers.py').read_text()"
            ".splitlines(), 1) if 'order_updated' in text)")},
    },
    "10.3": {
        "wrong": {"the worker restarted": (
            'project.edit("restaurant/orders/consumers.py", "def order_updated(", "def order_update(")\n'
            'project.restart("worker")\nheard = (await project.order_and_listen(table=7)).heard'),
                  "both restarted": (
            'project.edit("restaurant/orders/consumers.py", "def order_updated(", "def order_update(")\n'
            'project.restart("worker", "daphne")\nheard = (await project.order_and_listen(table=7)).heard'),
                  "fixed, not restarted": (
            'project.edit("restaurant/orders/consumers.py", "def order_updated(", "def order_update(")\n'
            'heard = (await project.order_and_listen(table=7)).heard')},
        "right": {"the file rewritten, then a list": (
            "path = project.path('restaurant/orders/consumers.py')\n"
            "path.write_text(path.read_text().replace('async def order_updated(', 'async def order_update('))\n"
            "project.restart('daphne')\nagain = await project.order_and_listen(table=7)\nheard = list(again.heard)")},
    },
    "10.4": {
        "wrong": {"the group the broken cook pressed": (
            'async_to_sync(get_channel_layer().group_send)(\n'
            '    f"tables_{table}", {"type": "order.update", "order": {"id": 0, "table": table, "status": status}}\n)'),
                  "a type no handler has": (
            'async_to_sync(get_channel_layer().group_send)(\n'
            '    f"table_{table}", {"type": "order.status", "order": {"id": 0, "table": table, "status": status}}\n)')},
        "right": {"the layer kept in a name": (
            "layer = get_channel_layer()\nmessage = {'type': 'order.update', 'order': {'table': table, 'status': status, 'id': 0}}\n"
            "async_to_sync(layer.group_send)('table_' + str(table), message)")},
    },
    # --- 11 dishes in steps
    "11.1": {
        "wrong": {"a group, not a chord": 'dinner = group(chain(fry.s(f), plate.s()) for f in ["fish", "chips", "peas"])',
                  "fried, never plated": 'dinner = chord([fry.s(f) for f in ["fish", "chips", "peas"]], serve.s(table=7))'},
        "right": {"chains written with |": 'dinner = chord((fry.s(f) | plate.s() for f in ("fish", "chips", "peas")), serve.s(table=7))'},
    },
    "11.2": {
        "wrong": {"to the cook's queue": 'kitchen.start_station("bar")\nlemonade = prep.delay("lemon")',
                  "the result, not the AsyncResult": ('kitchen.start_station("bar")\n'
                                                      'lemonade = prep.apply_async(("lemon",), queue="bar").get(timeout=10)')},
        "right": {"a signature sent to the bar": 'kitchen.start_station(queue="bar")\nlemonade = prep.s("lemon").apply_async(queue="bar")'},
    },
    "11.3": {
        "wrong": {"the task's short name": 'CELERY_TASK_ROUTES = {"cook_order": {"queue": "grill"}}',
                  "every order task to the cook's queue": 'CELERY_TASK_ROUTES = {"restaurant.orders.tasks.*": {"queue": "celery"}}'},
        "right": {"a glob": 'CELERY_TASK_ROUTES = {"restaurant.orders.tasks.cook_*": {"queue": "grill"}}'},
    },
    # --- 12 watching the kitchen
    "12.1": {
        "wrong": {"the rail": 'cooking = held = rail.llen("celery")',
                  "the answers, not counted": 'ask = celery_app.control.inspect(timeout=1)\ncooking, held = ask.active(), ask.reserved()'},
        "right": {"both asked at once": ('ask = celery_app.control.inspect(timeout=1)\n'
                                         'cooking, held = (sum(map(len, answer.values())) for answer in (ask.active(), ask.reserved()))')},
    },
    "12.2": {
        "wrong": {"self without bind=True": (
            "@shared_task\ndef slow_roast(minutes: int) -> str:\n    for m in range(1, minutes + 1):\n"
            "        time.sleep(0.5)\n        self.update_state(state='ROASTING', meta={'done': m, 'of': minutes})\n"
            "    return 'roasted'"),
                  "no state while it runs": (
            "@shared_task(bind=True)\ndef slow_roast(self, minutes: int) -> str:\n    time.sleep(0.5 * minutes)\n    return 'roasted'")},
        "right": {"current_task, without bind": (
            "from celery import current_task\n\n\n@shared_task\ndef slow_roast(minutes):\n    for done in range(minutes):\n"
            "        time.sleep(0.5)\n        current_task.update_state(state='ROASTING', meta={'of': minutes, 'done': done + 1})\n"
            "    return 'roasted'")},
    },
    # --- 13 another rail
    "13.1": {
        "wrong": {"sent to Redis": 'for food in ["fish", "chips", "peas"]:\n    fry.delay(food)\nwaiting = 3',
                  "asked Redis": ('with celery_app.connection_for_write(rabbit.url) as to_rabbit:\n'
                                  '    for food in ["fish", "chips", "peas"]:\n        fry.apply_async((food,), connection=to_rabbit)\n'
                                  'waiting = kitchen.redis.client().llen("celery")')},
        "right": {"RabbitMQ's own count": ('with celery_app.connection_for_write(rabbit.url) as conn:\n'
                                           '    for food in ("fish", "chips", "peas"):\n        fry.s(food).apply_async(connection=conn)\n'
                                           'waiting, _ = rabbit.counts("celery")')},
    },
    "13.2": {
        "wrong": {"the default ack": "@shared_task", "late ack switched off": "@shared_task(acks_late=False)"},
        "right": {"the app's decorator": "from restaurant import celery_app\n\n\n@celery_app.task(acks_late=True)"},
    },
    # --- 14 choosing a queue
    "14.1": {
        "wrong": {"two lines only": 'mine = queue_race.race(libraries=["raw", "celery"], n=50)',
                  "the names, not a race": 'mine = ["raw", "celery", "dramatiq"]'},
        "right": {"keywords the other way round": 'mine = queue_race.race(n=50, libraries=("raw", "celery", "dramatiq"))'},
    },
    "14.2": {
        "wrong": {"upside down": ('rows = {row["library"]: row for row in mine.rows}\n'
                                  'times_lpush = rows["raw"]["enqueue_p50_s"] / rows["celery"]["enqueue_p50_s"]'),
                  "a difference, not a ratio": ('rows = {row["library"]: row for row in mine.rows}\n'
                                                'times_lpush = rows["celery"]["enqueue_p50_s"] - rows["raw"]["enqueue_p50_s"]')},
        "right": {"found with next()": ('celery_row = next(r for r in mine.rows if r["library"] == "celery")\n'
                                        'raw_row = next(r for r in mine.rows if r["library"] == "raw")\n'
                                        'times_lpush = celery_row["enqueue_p50_s"] / raw_row["enqueue_p50_s"]')},
    },
    "14.3": {
        "wrong": {"the slower": 'quicker = max((r for r in mine.rows if r["library"] != "raw"), key=lambda r: r["round_trip_p50_s"])["label"]',
                  "the first row": 'quicker = mine.rows[0]["label"]'},
        "right": {"sorted": ('queues = [r for r in mine.rows if r["library"] in ("celery", "dramatiq")]\n'
                             'quicker = sorted(queues, key=lambda r: r["round_trip_p50_s"])[0]["label"]')},
    },
    "14.4": {
        "wrong": {"the default": "@shared_task", "results kept": "@shared_task(ignore_result=False)"},
        "right": {"the app's decorator": "from restaurant import celery_app\n\n\n@celery_app.task(ignore_result=True)"},
    },
    # --- 15 before the commit
    "15.1": {
        "wrong": {"sent at once": "send_confirmation.delay(order.id)",
                  "sent with a countdown": "send_confirmation.apply_async((order.id,), countdown=0.1)"},
        "right": {"Django's on_commit": "transaction.on_commit(lambda: send_confirmation.delay(order.id))"},
    },
    "15.2": {
        "wrong": {"no transaction": ("from restaurant.orders.tasks import send_confirmation\n\n\ndef customer_leaves():\n"
                                     "    order = Order.objects.create(table=9, item='soup')\n"
                                     "    send_confirmation.delay_on_commit(order.id)\n    raise RuntimeError('the customer left')"),
                  "sent at once": ("from restaurant.orders.tasks import send_confirmation\n\n\ndef customer_leaves():\n"
                                   "    with transaction.atomic():\n        order = Order.objects.create(table=9, item='soup')\n"
                                   "        send_confirmation.delay(order.id)\n        raise RuntimeError('the customer left')"),
                  "saved nothing": "def customer_leaves():\n    raise RuntimeError('the customer left')"},
        "right": {"on_commit and a decorator": (
            "from restaurant.orders.tasks import send_confirmation\n\n\n@transaction.atomic\ndef customer_leaves():\n"
            "    order = Order.objects.create(item='soup', table=9)\n"
            "    transaction.on_commit(lambda: send_confirmation.delay(order.id))\n    raise RuntimeError('gone')")},
    },
    "15.3": {
        "wrong": {"a cut-off of 0 s": ('LOST_TICKET_AFTER = 0\nCELERY_BEAT_SCHEDULE = {\n'
                                       '    "resend-lost-tickets": {"task": "restaurant.orders.sweeps.resend_lost_tickets", "schedule": 1.0},\n}'),
                  "no schedule": "LOST_TICKET_AFTER = 3"},
        "right": {"a timedelta": ('from datetime import timedelta\n\nLOST_TICKET_AFTER = 3.0\nCELERY_BEAT_SCHEDULE = {\n'
                                  '    "sweep": {"task": "restaurant.orders.sweeps.resend_lost_tickets", "schedule": timedelta(seconds=3)},\n}')},
    },
    # --- 16 limits
    "16.1": {
        "wrong": {"no limit, a branch on the argument": [
            "@shared_task",
            'if answer_after > 1:\n    return "salt: ordered elsewhere"\ntime.sleep(answer_after)'],
                  "a limit, never caught": ["@shared_task(soft_time_limit=1)", "time.sleep(answer_after)"]},
        "right": {"the app's decorator, the exception by its module": [
            "from restaurant import celery_app\n\n\n@celery_app.task(soft_time_limit=1.0)",
            'from celery import exceptions\ntry:\n    time.sleep(answer_after)\nexcept exceptions.SoftTimeLimitExceeded:\n'
            '    return "salt: ordered elsewhere"']},
    },
    "16.2": {
        "wrong": {"one a second": [None, None, '@shared_task(rate_limit="1/s")'],
                  "no limit": [None, None, "@shared_task"]},
        "right": {"per minute": [None, None, '@shared_task(rate_limit="120/m")']},
    },
    # --- 17 long shifts
    "17.1": {
        "wrong": {"Celery's name, not Django's": "worker_max_tasks_per_child = 3",
                  "every fourth task": "CELERY_WORKER_MAX_TASKS_PER_CHILD = 4"},
        "right": {"an expression": "PER_CHILD = 3\nCELERY_WORKER_MAX_TASKS_PER_CHILD = PER_CHILD"},
    },
    "17.2": {
        "wrong": {"never forgets": "pass",
                  "forgets the newest": "while len(printed) > 3:\n    printed.popitem()"},
        "right": {"the oldest keys, sliced": "for old in list(printed)[:-3]:\n    del printed[old]"},
    },
    # --- 18 tickets for later
    "18.1": {
        "wrong": {"a ticket for now": "cook_order.delay(dessert_id)",
                  "2 s, not 20": "cook_order.apply_async(args=[dessert_id], countdown=2)"},
        "right": {"an ETA, twenty seconds from now": (
            "from datetime import datetime, timedelta, timezone\n\n"
            "cook_order.apply_async((dessert_id,), eta=datetime.now(timezone.utc) + timedelta(seconds=20))")},
    },
    "18.2": {
        "wrong": {"a timeout shorter than the countdown": 'CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2}',
                  "Celery's name": 'broker_transport_options = {"visibility_timeout": 30}'},
        "right": {"an hour": 'CELERY_BROKER_TRANSPORT_OPTIONS = dict(visibility_timeout=3600)'},
    },
    # --- 19 closing time
    "19.1": {
        "wrong": {"a Django setting's name": 'worker_environment = {"CELERY_REMAP_SIGTERM": "SIGQUIT"}',
                  "the signal, not the environment": "worker_environment = signal.SIGQUIT"},
        "right": {"the name from the signal module": "worker_environment = dict(REMAP_SIGTERM=signal.SIGQUIT.name)"},
    },
    "19.2": {
        "wrong": {"Celery's name": "worker_soft_shutdown_timeout = 4",
                  "too short for the dish": "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 0.5"},
        "right": {"a float, longer": "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 6.0"},
    },
    # --- 20 watching it run
    "20.1": {
        "wrong": {"print, not log": [None, 'print(f"plating the {dish}")'],
                  "the root logger": ["import logging\nlogger = logging.getLogger()", None]},
        "right": {"a named task logger": ['logger = get_task_logger("my_pass")', 'logger.info(f"plating the {dish}")']},
    },
    "20.2": {
        "wrong": {"after every task": [None, None, (
            "from celery.signals import task_postrun\n\n\n@task_postrun.connect\ndef ring_the_alarm(sender=None, **kwargs):\n"
            '    cache.add("alarms", 0, timeout=None)\n    cache.incr("alarms")')],
                  "in the kernel only": [None, None, "def ring_the_alarm(**kwargs):\n    cache.incr('alarms')"]},
        "right": {"connected by a call, counted with get_or_set": [None, None, (
            "def count_a_failure(sender=None, task_id=None, **kwargs):\n"
            '    cache.get_or_set("alarms", 0, timeout=None)\n    cache.incr("alarms")\n\n\n'
            "task_failure.connect(count_a_failure, weak=False)")]},
    },
    # --- 21 how many cooks
    "21.1": {
        "wrong": {"processes": 'pool, concurrency = "prefork", 8', "threads, two of them": 'pool, concurrency = "threads", 2',
                  "not a pool": 'pool, concurrency = "gevent", 8'},
        "right": {"more threads": 'pool = "threads"\nconcurrency = 12'},
    },
    "21.2": {
        "wrong": {"the default": "CELERY_WORKER_PREFETCH_MULTIPLIER = 4",
                  "Celery's name": "worker_prefetch_multiplier = 1"},
        "right": {"with acks_late said again": "CELERY_WORKER_PREFETCH_MULTIPLIER = 1\nCELERY_TASK_ACKS_LATE = True"},
    },
    # --- 22 who is at the table
    "22.1": {
        "wrong": {"another path": [None, 'path("ws/my-order/", MyOrdersConsumer.as_asgi()),'],
                  "a table in the path": [None, 'path("ws/my-orders/<int:table>/", MyOrdersConsumer.as_asgi()),']},
        "right": {"with a name": [None, 'path("ws/my-orders/", MyOrdersConsumer.as_asgi(), name="my-orders"),']},
    },
    "22.2": {
        "wrong": {"everyone let in": ['self.group = f"user_{user.id}"\nawait self.channel_layer.group_add(self.group, self.channel_name)'],
                  "accepted, then closed": ["if not user.is_authenticated:\n    await self.accept()\n    await self.close()\n    return\n"
                                            'self.group = f"user_{user.id}"\nawait self.channel_layer.group_add(self.group, self.channel_name)']},
        "right": {"is_anonymous": ["if user.is_anonymous:\n    await self.close()\n    return\n"
                                   'self.group = "user_%d" % user.pk\nawait self.channel_layer.group_add(self.group, self.channel_name)']},
    },
    "22.3": {
        "wrong": {"named after the username": [joins('f"user_{user.username}"')],
                  "one group for every customer": [joins('"customers"')]},
        "right": {"the id through pk": [joins('"user_" + str(user.pk)')]},
    },
    # --- 23 talking back
    "23.1": {
        "wrong": {"the table the message claims": ['await self.channel_layer.group_send(\n'
                                                   '    "kitchen", {"type": "table.message", "table": content.get("table"), "text": text})'],
                  "answered to the table itself": ['await self.send_json({"type": "table.message", "table": self.table, "text": text})']},
        "right": {"the event built first": ['event = {"type": "table.message", "text": text, "table": int(self.table)}\n'
                                            'await self.channel_layer.group_send("kitchen", event)']},
    },
    "23.2": {
        "wrong": {"logged in is enough": [None, 'if not self.scope["user"].is_authenticated:\n    await self.close()\n    return'],
                  "nobody refused": [None, "pass"]},
        "right": {"both asked": [None, 'user = self.scope["user"]\nif not (user.is_authenticated and user.is_staff):\n'
                                       "    await self.close()\n    return"]},
    },
    # --- 24 sync in async
    "24.1": {
        "wrong": {"the ORM in the event loop": ['await self.send_json({"order": latest_order(table)})'],
                  "the wrapper never awaited": ['await self.send_json({"order": database_sync_to_async(latest_order)(table)})']},
        "right": {"asgiref's sync_to_async": ['order = await sync_to_async(latest_order)(table)\n'
                                              'await self.send_json({"order": order})']},
    },
    "24.2": {
        "alone": True,
        "wrong": {"the event loop blocked": [None, "print_slip(content)"],
                  "Django's one thread": [None, "await sync_to_async(print_slip)(content)"]},
        "right": {"a thread from asyncio": [None, "import asyncio\nawait asyncio.to_thread(print_slip, content)"]},
    },
    "24.3": {
        "alone": True,
        "wrong": {"the channel layer's close_pools()": ('await shelf.incr("slips_noted")\n'
                                                        "from channels.layers import get_channel_layer\n"
                                                        "await get_channel_layer().close_pools()"),
                  "tried again on the error": ('try:\n    await shelf.incr("slips_noted")\n'
                                               'except RuntimeError:\n    await shelf.incr("slips_noted")'),
                  "closed before the note": 'await shelf.aclose()\nawait shelf.incr("slips_noted")'},
        "right": {"a client per call, closed by async with": (
                      'async with redis.asyncio.Redis.from_url(kitchen.redis.url) as mine:\n'
                      '    await mine.incr("slips_noted")'),
                  "the pool disconnected after the note": ('await shelf.incr("slips_noted")\n'
                                                           "await shelf.connection_pool.disconnect()")},
    },
    # --- 25 a page that survives a restart
    "25.1": {
        "wrong": {"the ORM in the event loop": ["order = latest_order(self.table)\nif order is not None:\n"
                                                '    await self.send_json({"type": "order.update", "order": order})'],
                  "None sent to a table with no order": [
                      'await self.send_json({"type": "order.update", "order": await database_sync_to_async(latest_order)(self.table)})']},
        "right": {"asgiref's sync_to_async": ["from asgiref.sync import sync_to_async\n\n"
                                              "order = await sync_to_async(latest_order)(self.table)\nif order:\n"
                                              '    await self.send_json(dict(type="order.update", order=order))']},
    },
    "25.2": {
        "wrong": {"the same wait each time": ("while True:\n    try:\n        return await websockets.connect(url, origin=origin), waited\n"
                                              "    except OSError:\n        await asyncio.sleep(first)\n        waited.append(first)"),
                  "doubling without a ceiling, from 1 s": (
                      "delay = 1.0\nwhile True:\n    try:\n        return await websockets.connect(url, origin=origin), waited\n"
                      "    except OSError:\n        await asyncio.sleep(delay)\n        waited.append(delay)\n        delay *= 2")},
        "right": {"plain doubling, no jitter": (
            "delay = first\nwhile True:\n    try:\n        return await websockets.connect(url, origin=origin), waited\n"
            "    except OSError:\n        await asyncio.sleep(delay)\n        waited.append(delay)\n"
            "        delay = min(delay * 2, longest)")},
    },
    # --- 26 when the pass overflows
    "26.1": {
        "wrong": {"never caught": "async_to_sync(get_channel_layer().send)(channel, message)\nreturn True",
                  "upside down": ("try:\n    async_to_sync(get_channel_layer().send)(channel, message)\n"
                                  "except ChannelFull:\n    return True\nreturn False")},
        "right": {"try, except, else, the layer kept": (
            "from channels import exceptions\n\nlayer = get_channel_layer()\ntry:\n"
            "    async_to_sync(layer.send)(channel, message)\nexcept exceptions.ChannelFull:\n"
            "    return False\nelse:\n    return True")},
    },
    "26.2": {
        "wrong": {"the capacity beside CONFIG": 'CHANNEL_LAYERS = {"default": {"capacity": 300}}',
                  "a longer expiry instead": 'CHANNEL_LAYERS = {"default": {"CONFIG": {"expiry": 600}}}'},
        "right": {"per channel name, with the backend said again": (
            'CHANNEL_LAYERS = {\n    "default": {\n        "BACKEND": "restaurant.classroom.layers.RedisChannelLayer",\n'
            '        "CONFIG": {"channel_capacity": {"specific.*": 500}},\n    }\n}')},
    },
    # --- 27 daphne or uvicorn
    "27.1": {
        "wrong": {"sent before accept": ['self.table = self.scope["url_route"]["kwargs"]["table"]\n'
                                         'await self.send_json({"table": self.table})\nawait self.accept()'],
                  "the table as text": ['self.table = self.scope["url_route"]["kwargs"]["table"]\nawait self.accept()\n'
                                        'await self.send_json({"table": str(self.table)})']},
        "right": {"the table from the path": ['self.table = int(self.scope["path"].rstrip("/").split("/")[-1])\n'
                                              'await self.accept()\nawait self.send_json({"table": self.table})']},
    },
    "27.2": {
        "alone": True,
        "wrong": {"the table forgotten": [None, 'async def receive_json(self, content, **kwargs):\n'
                                                '    await self.send_json({"coming": True})'],
                  "the table the message claims": [None, 'async def receive_json(self, content, **kwargs):\n'
                                                         '    await self.send_json({"coming": True, "table": content.get("table")})']},
        "right": {"a dict() and .get": [None, 'async def receive_json(self, content, **kwargs):\n'
                                              '    if content.get("call") == "waiter":\n'
                                              '        await self.send_json(dict(table=self.table, coming=True))']},
    },
    # --- 28 testing the kitchen
    "28.1": {
        "wrong": {"asserts nothing": ["await database_sync_to_async(cook_order)(order.id, cook_seconds=0)"],
                  "one buzz only": ["await database_sync_to_async(cook_order)(order.id, cook_seconds=0)\n"
                                    'assert (await table.receive_json_from(timeout=5))["order"]["status"] == "cooking"']},
        "right": {"both read, then compared": [
            "from asgiref.sync import sync_to_async\n"
            "await sync_to_async(cook_order)(order.id, cook_seconds=0)\n"
            "statuses = [(await table.receive_json_from(timeout=5))['order']['status'] for _ in range(2)]\n"
            "assert statuses == ['cooking', 'ready']"]},
    },
    "28.2": {
        "alone": True,  # exercise 1's check (four pytest runs) is not needed to judge this one
        "wrong": {"the plain marker": [None, "@pytest.mark.django_db"],
                  "no database at all": [None, "@pytest.mark.filterwarnings('ignore')"]},
        "right": {"with its other option": [None, "@pytest.mark.django_db(reset_sequences=False, transaction=True)"]},
    },
    # --- 29 a project you have never seen
    "29.1": {
        "wrong": {"tasks.py without its folder (the clinic has two)": 'clinic_map = {\n    "waiter": ("results/views.py", "receive_result"),\n    "hand-off": ("results/views.py", "apply_async"),\n    "cook": ("tasks.py", "notify_doctor"),\n    "order up": ("results/tasks.py", "group_send"),\n    "group": ("results/groups.py", "doctor_group"),\n    "buzzer": ("results/consumers.py", "DoctorConsumer"),\n    "handler": ("results/consumers.py", "result_ready"),\n    "url wiring": ("results/routing.py", "websocket_urlpatterns"),\n}',
                  "the consumer's connect as its handler": 'clinic_map = {\n    "waiter": ("results/views.py", "receive_result"),\n    "hand-off": ("results/views.py", "apply_async"),\n    "cook": ("results/tasks.py", "notify_doctor"),\n    "order up": ("results/tasks.py", "group_send"),\n    "group": ("results/groups.py", "doctor_group"),\n    "buzzer": ("results/consumers.py", "DoctorConsumer"),\n    "handler": ("results/consumers.py", "connect"),\n    "url wiring": ("results/routing.py", "websocket_urlpatterns"),\n}',
                  "one actor left out": 'clinic_map = {\n    "waiter": ("results/views.py", "receive_result"),\n    "hand-off": ("results/views.py", "apply_async"),\n    "cook": ("results/tasks.py", "notify_doctor"),\n    "order up": ("results/tasks.py", "group_send"),\n    "group": ("results/groups.py", "doctor_group"),\n    "buzzer": ("results/consumers.py", "DoctorConsumer"),\n    "url wiring": ("results/routing.py", "websocket_urlpatterns"),\n}'},
        "right": {"paths as grep prints them, names as written in the code": 'clinic_map = {\n    "waiter": ("./results/views.py", "def receive_result()"),\n    "hand-off": ("results/views.py", "notify_doctor.apply_async"),\n    "cook": ("results/tasks.py", "notify_doctor"),\n    "order up": ("results/tasks.py", "group_send"),\n    "group": ("results/groups.py", "doctor_group"),\n    "buzzer": ("results/consumers.py", "DoctorConsumer"),\n    "handler": ("results/consumers.py", "DoctorConsumer.result_ready"),\n    "url wiring": ("results/routing.py", "websocket_urlpatterns"),\n}',
                  "the wiring in asgi.py, lists for pairs": 'clinic_map = {\n    "waiter": ("results/views.py", "receive_result"),\n    "hand-off": ("results/views.py", "apply_async"),\n    "cook": ("results/tasks.py", "notify_doctor"),\n    "order up": ("results/tasks.py", "group_send"),\n    "group": ["results/groups.py", "doctor_group()"],\n    "buzzer": ("results/consumers.py", "DoctorConsumer"),\n    "handler": ("results/consumers.py", "result_ready"),\n    "url wiring": ["config/asgi.py", "application"],\n}'},
    },
    "29.2": {
        "wrong": {"the hop of the cook": (
            'hop_2 = "cook"\nfile_2 = "results/tasks.py"\nline_2 = clinic.line_of(file_2, "result.new")'),
                  "the group helper": (
            'hop_2 = "consumer"\nfile_2 = "results/groups.py"\nline_2 = 4')},
        "right": {"the handler's side, the whole path, the line as text": (
            "hop_2 = 'Consumer'\nfile_2 = str(clinic.path('results/consumers.py'))\n"
            "line_2 = str(clinic.line_of('results/consumers.py', 'def result_ready('))")},
    },
    "29.3": {
        "wrong": {"the task's side of the group": (
            'hop_3 = "group"\nfile_3 = "results/tasks.py"\nline_3 = clinic.line_of(file_3, "doctor_group(result")'),
                  "the helper, which is right": (
            'hop_3 = "group"\nfile_3 = "results/groups.py"\nline_3 = clinic.line_of(file_3, "return f")')},
        "right": {"a relative path, the line counted": (
            "file_3 = './results/consumers.py'\nhop_3 = 'group'\n"
            "line_3 = next(n for n, text in enumerate(clinic.path('results/consumers.py').read_text().splitlines(), 1)"
            " if 'doctor_{' in text)")},
    },
    "29.4": {
        "wrong": {"the worker restarted": [(
            "clinic.edit('results/consumers.py', 'f\"doctor_', 'f\"doctor-')\nclinic.restart('worker')\n"
            "heard = (await labkit.drills.a_result_arrives(clinic, patient='Eva Lund')).heard")],
                  "fixed, not restarted": [(
            "clinic.edit('results/consumers.py', 'f\"doctor_', 'f\"doctor-')\n"
            "heard = (await labkit.drills.a_result_arrives(clinic, patient='Eva Lund')).heard")]},
        "right": {"the name spelled as the helper spells it, the file rewritten": [(
            "path = clinic.path('results/consumers.py')\n"
            "path.write_text(path.read_text().replace('f\"doctor_{', 'f\"doctor-{'))\n"
            "clinic.restart('daphne')\nagain = await labkit.drills.a_result_arrives(clinic, patient='Eva Lund')\n"
            "heard = list(again.heard)")]},
    },
    # --- 30 Django's own tasks
    "30.1": {
        "wrong": {"a plain function": ("def bill(order_id: int) -> str:\n    order = Order.objects.get(pk=order_id)\n"
                                       '    return f"table {order.table}: {order.item}, paid"'),
                  "looked up by table, raises": ("@task()\ndef bill(order_id: int) -> str:\n"
                                                 '    return Order.objects.get(table=order_id).item'),
                  "another name": ("@task()\ndef bill_for(order_id: int) -> str:\n"
                                   '    return f"table {Order.objects.get(pk=order_id).table}: soup, paid"'),
                  "the id for the table": ("@task()\ndef bill(order_id: int) -> str:\n"
                                           '    return f"table {order_id}: {Order.objects.get(pk=order_id).item}, paid"'),
                  "the example written out": '@task()\ndef bill(order_id: int) -> str:\n    return "table 4: soup, paid"'},
        "right": {"the bare decorator, one query": (
                      "@task\ndef bill(order_id):\n"
                      "    table, item = Order.objects.values_list('table', 'item').get(id=order_id)\n"
                      "    return '%s: %s, paid' % (f'table {table}', item)")},
    },
    "30.2": {
        "alone": True,
        "wrong": {"the ready ones": 'stuck = list(DBTaskResult.objects.ready().values_list("id", flat=True))',
                  "every task": "stuck = [t.id for t in DBTaskResult.objects.all()]"},
        "right": {"the rows themselves": 'stuck = list(DBTaskResult.objects.filter(status="RUNNING"))',
                  "ids as text": ('stuck = [str(i) for i in DBTaskResult.objects.filter(status__in=["RUNNING"])'
                                  '.values_list("pk", flat=True)]')},
    },
    "30.3": {
        "alone": True,
        "wrong": {"marked failed": 'DBTaskResult.objects.filter(id__in=stuck).update(status="FAILED")',
                  "marked done, never cooked": 'DBTaskResult.objects.filter(id__in=stuck).update(status="SUCCESSFUL")'},
        "right": {"one row at a time, saved": ('for row in DBTaskResult.objects.filter(id__in=stuck):\n'
                                               '    row.status = "READY"\n    row.save(update_fields=["status"])')},
    },
}
