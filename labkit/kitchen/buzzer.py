"""A buzzer in the notebook: the same WebSocket the table's page opens, kept open in the kernel.

    buzzer = await labkit.Buzzer.connect(5)            # table 5 (this kernel's Daphne)
    ...                                                 # place an order
    buzz = await buzzer.wait_for("ready")               # {"order": {...}, "sent_at": ..., "received_at": ...}
    await buzzer.close()

A reader task takes every message off the socket as soon as it arrives and notes the time, so a
buzz's ``received_at`` is when it reached the kernel, not when a cell got round to reading it.
"""
from __future__ import annotations

import asyncio
import json
import time

import websockets

from labkit.runtime.errors import LabkitError


class Buzzer:
    def __init__(self, socket, table: int | None, path: str | None = None):
        self.socket, self.table = socket, table
        self.path = path or f"ws/table/{table}/"
        self.buzzes: list[dict] = []
        self.closed: Exception | None = None
        self._arrived = asyncio.Condition()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def connect(cls, table: int | None = None, daphne=None, origin: str | None = None,
                      path: str | None = None, cookies=None) -> Buzzer:
        """Open table ``table``'s buzzer on ``daphne`` (this kernel's, by default). The Origin is
        Daphne's own address, as for the restaurant's page (the origin validator lets it in),
        unless ``origin`` says where the page came from. ``path``: another consumer's route
        (ws/me/, ws/kitchen/, one of yours) instead of the restaurant's ``ws/table/<table>/``.
        ``cookies``: what the handshake's Cookie header carries, as a browser's would: a WebClient's
        cookies (its session, once it has logged in), or a dict of names and values."""
        if daphne is None:
            from labkit.kitchen.restaurant import current
            daphne = current().daphne
        if daphne is None or not daphne.running:
            raise LabkitError("Daphne is not running: kitchen.start_daphne() (or open()) starts it.")
        path = path or f"ws/table/{table}/"
        if isinstance(cookies, dict):
            cookies = "; ".join(f"{name}={value}" for name, value in cookies.items())
        elif cookies is not None:
            cookies = cookies.cookie_header()
        headers = {"Cookie": cookies} if cookies else None
        socket = await websockets.connect(daphne.socket_url(path), origin=origin or daphne.url,
                                          additional_headers=headers)
        return cls(socket, table, path)

    @classmethod
    async def try_connect(cls, *args, **kwargs) -> Buzzer | str:
        """:meth:`connect`, or why the server refused the handshake: "refused, HTTP 403"."""
        try:
            return await cls.connect(*args, **kwargs)
        except websockets.InvalidStatus as refused:
            return f"refused, HTTP {refused.response.status_code}"

    async def send_json(self, message) -> None:
        """Send ``message`` up the socket, as the page's JavaScript does: the consumer's receive_json()."""
        await self.socket.send(json.dumps(message))

    async def _read(self) -> None:
        try:
            async for message in self.socket:
                buzz = {**json.loads(message), "received_at": time.time()}
                async with self._arrived:
                    self.buzzes.append(buzz)
                    self._arrived.notify_all()
        except websockets.ConnectionClosed as closed:
            self.closed = closed
        async with self._arrived:
            self.closed = self.closed or ConnectionError("the buzzer's socket closed")
            self._arrived.notify_all()

    async def wait_for(self, status: str, order_id: int | None = None, timeout: float = 10.0) -> dict:
        """The first buzz saying ``status`` (for ``order_id``, if given); TimeoutError if none comes."""
        def found():
            for buzz in self.buzzes:
                order = buzz.get("order", {})
                if order.get("status") == status and order_id in (None, order.get("id")):
                    return buzz
            return None

        async def arrival():
            async with self._arrived:
                await self._arrived.wait_for(lambda: found() or self.closed)
            if found() is None:
                raise ConnectionError(f"{self.path}'s buzzer closed before {status!r}: {self.closed}")
            return found()

        try:
            return await asyncio.wait_for(arrival(), timeout)
        except TimeoutError:
            raise TimeoutError(f"no {status!r} buzz on {self.path} within {timeout:g} s") from None

    async def wait_for_count(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until the socket has brought ``count`` messages in all (or closed, or ``timeout``
        passed); whether it has."""
        async def arrival():
            async with self._arrived:
                await self._arrived.wait_for(lambda: len(self.buzzes) >= count or self.closed)
        try:
            await asyncio.wait_for(arrival(), timeout)
        except TimeoutError:
            pass
        return len(self.buzzes) >= count

    async def wait_until_quiet(self, quiet: float = 2.0, timeout: float = 30.0) -> int:
        """Wait until no message has come for ``quiet`` seconds (a slow consumer done catching up);
        how many messages the socket has brought in all."""
        started = time.monotonic()
        while await self.wait_for_count(len(self.buzzes) + 1, timeout=quiet):
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{self.path}'s buzzer was still busy after {timeout:g} s")
        return len(self.buzzes)

    async def wait_closed(self, timeout: float = 10.0) -> Exception:
        """Wait until the socket is closed (by its server, say); returns why it closed."""
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.closed

    async def close(self) -> None:
        await self.socket.close()
        await self._reader

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<Buzzer {self.path}, {state}, {len(self.buzzes)} messages>"
