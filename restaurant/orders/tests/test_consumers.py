"""The buzzer's tests: the restaurant's ASGI application, a socket in memory, a real channel layer.

WebsocketCommunicator talks to the application as Daphne would, without a server or a port. A
logged-in customer's socket carries her session cookie, as her browser's would.
"""
import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from restaurant.asgi import application
from restaurant.orders.consumers import KitchenConsumer

# async tests, on asyncio; with the database, committed (Channels closes stale database connections
# around every message, and AuthMiddlewareStack reads the session and its user in another thread)
pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]
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


@pytest.fixture
async def ana(django_user_model):
    """A customer, logged in: her browser's session cookie, as Django's test client gets it."""
    customer = await django_user_model.objects.acreate(username="ana")
    client = Client()
    await client.aforce_login(customer)
    return customer, [*SAME_SITE, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def test_a_customers_own_buzzer_knows_who_she_is_from_the_session_cookie(ana):
    customer, her_browser = ana
    mine = WebsocketCommunicator(application, "/ws/me/", headers=her_browser)
    connected, _ = await mine.connect()
    assert connected
    assert await mine.receive_json_from(timeout=5) == {"type": "welcome", "user": "ana"}
    update = {"type": "order.update", "order": {"id": 3, "table": 9, "status": "ready"}}
    await get_channel_layer().group_send(f"user_{customer.id}", update)  # what buzz() sends her
    assert await mine.receive_json_from(timeout=5) == update
    await mine.disconnect()


async def test_an_anonymous_socket_has_no_buzzer_of_its_own():
    mine = WebsocketCommunicator(application, "/ws/me/", headers=SAME_SITE)
    connected, _ = await mine.connect()
    assert not connected


async def test_the_kitchen_display_is_for_staff_only(ana, django_user_model):
    _, her_browser = ana
    for headers in (SAME_SITE, her_browser):  # nobody, then a customer who is not staff
        display = WebsocketCommunicator(application, "/ws/kitchen/", headers=headers)
        assert not (await display.connect())[0]
    chef = await django_user_model.objects.acreate(username="chef", is_staff=True)
    display = WebsocketCommunicator(KitchenConsumer.as_asgi(), "/ws/kitchen/")
    display.scope["user"] = chef  # the consumer alone, with the user AuthMiddlewareStack would find
    assert (await display.connect())[0]
    await display.disconnect()


async def test_a_table_talks_to_the_kitchen_as_the_table_it_sits_at():
    kitchen = get_channel_layer()
    display = await kitchen.new_channel()
    await kitchen.group_add("kitchen", display)
    table = WebsocketCommunicator(application, "/ws/table/4/", headers=SAME_SITE)
    await table.connect()
    await table.send_json_to({"text": "Call the waiter, please", "table": 99})  # 99: a lie, ignored
    assert await table.receive_json_from(timeout=5) == {"type": "sent", "text": "Call the waiter, please"}
    assert await kitchen.receive(display) == {"type": "table.message", "table": 4, "text": "Call the waiter, please"}
    await table.send_json_to({"what": "no text"})
    assert (await table.receive_json_from(timeout=5))["type"] == "error"
    await table.disconnect()
    await kitchen.group_discard("kitchen", display)
