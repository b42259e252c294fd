"""The buzzer's tests: the restaurant's ASGI application, a socket in memory, a real channel layer.

WebsocketCommunicator talks to the application as Daphne would, without a server or a port.
"""
import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from restaurant.asgi import application

pytestmark = pytest.mark.anyio  # async tests, on asyncio
SAME_SITE = [(b"origin", b"http://127.0.0.1")]


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_a_buzzer_gets_its_tables_buzz():
    table = WebsocketCommunicator(application, "/ws/table/5/", headers=SAME_SITE)
    connected, _ = await table.connect()
    assert connected
    update = {"type": "order.update", "order": {"id": 1, "table": 5, "status": "ready"}}
    await get_channel_layer().group_send("table_5", update)
    assert await table.receive_json_from(timeout=5) == update
    await table.disconnect()


async def test_a_buzzer_does_not_get_another_tables_buzz():
    table = WebsocketCommunicator(application, "/ws/table/6/", headers=SAME_SITE)
    await table.connect()
    await get_channel_layer().group_send("table_7", {"type": "order.update", "order": {"id": 2}})
    assert await table.receive_nothing(timeout=0.5)
    await table.disconnect()


async def test_a_socket_from_another_site_is_refused():
    table = WebsocketCommunicator(application, "/ws/table/5/", headers=[(b"origin", b"http://evil.example")])
    connected, _ = await table.connect()
    assert not connected
