"""A relay in front of an existing Redis: 127.0.0.1:PORT -> HOST:PORT, byte for byte.

When the course uses a Redis it did not start (ORDERUP_USE_REDIS, for example an instructor's), every
program of the restaurant still connects to 127.0.0.1, to this relay, which labkit starts and stops
like any other service. Stopping the relay is an outage for this kernel's restaurant only (lesson 04
stops "Redis"), and the instructor's server is never touched.

    python -m labkit.services.relay_program LISTEN_PORT TARGET_HOST TARGET_PORT
"""
from __future__ import annotations

import asyncio
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def relay(listen_port: int, host: str, port: int) -> None:
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, port)
        except OSError as e:
            print(f"cannot reach {host}:{port}: {e}", flush=True)
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    print(f"relaying 127.0.0.1:{listen_port} -> {host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    listen, target_host, target_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    asyncio.run(relay(listen, target_host, target_port))
