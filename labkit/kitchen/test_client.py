"""Django's test client, with each request handled in a thread of its own, as a web server would.

A notebook cell runs inside the kernel's asyncio event loop. Django code that calls
`async_to_sync(...)` (the cook's buzzer does) refuses to run in such a thread. A real web process
handles each request in a worker thread with no event loop, so this client does the same.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections
from django.test import Client


class TestClient(Client):
    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="web-request")

    def request(self, **request):
        def handle():
            try:
                return super(TestClient, self).request(**request)
            finally:
                close_old_connections()
        # A view that raises comes back to the caller as the exception itself; Django's
        # "Internal Server Error" log of the same traceback would only repeat it.
        request_log = logging.getLogger("django.request")
        level = request_log.level
        request_log.setLevel(logging.CRITICAL)
        try:
            return self._thread.submit(handle).result()
        finally:
            request_log.setLevel(level)
