import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from appointments.models import Doctor
from config.asgi import application

from .models import LabResult
from .tasks import notify_doctor

ANALYSER = {"Authorization": "Bearer test-token"}  # LAB_API_TOKEN in config/settings/test.py


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.django_db
def test_a_result_is_saved_and_its_doctor_told_after_the_commit(client, django_capture_on_commit_callbacks):
    doctor = Doctor.objects.create(name="Dr Test")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/api/results/", {"doctor": doctor.id, "patient_name": "Ana", "test": "HbA1c",
                                                 "value": "6.1 %"}, content_type="application/json", headers=ANALYSER)
    assert response.status_code == 201
    assert LabResult.objects.get().test == "HbA1c"
    assert len(callbacks) == 1  # notify_doctor is sent when the view's transaction commits


@pytest.mark.django_db
def test_an_unknown_analyser_is_refused(client):
    response = client.post("/api/results/", {}, content_type="application/json",
                           headers={"Authorization": "Bearer guess"})
    assert response.status_code == 401


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_the_doctors_open_page_gets_the_result():
    doctor = await Doctor.objects.acreate(name="Dr Test")
    result = await LabResult.objects.acreate(doctor=doctor, patient_name="Ana", test="HbA1c", value="6.1 %")
    page = WebsocketCommunicator(application, f"/ws/doctors/{doctor.id}/", headers=[(b"origin", b"http://localhost")])
    connected, _ = await page.connect()
    assert connected
    await sync_to_async(notify_doctor)(result.id)  # the task, called as a function
    assert (await page.receive_json_from(timeout=5))["value"] == "6.1 %"
    await page.disconnect()
