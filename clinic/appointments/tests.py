from datetime import timedelta

import pytest
from django.utils import timezone

from .models import Appointment, Doctor
from .tasks import send_reminder


@pytest.mark.django_db
def test_a_patient_due_tomorrow_is_reminded_once(mailoutbox):
    doctor = Doctor.objects.create(name="Dr Test")
    appointment = Appointment.objects.create(doctor=doctor, patient_name="Ana", patient_email="ana@example.org",
                                             starts_at=timezone.now() + timedelta(hours=20))
    assert list(Appointment.objects.due_for_reminder()) == [appointment]
    assert send_reminder(appointment.id) == "sent"  # a task called as a function runs here
    assert send_reminder(appointment.id) == "already sent"
    assert [mail.to for mail in mailoutbox] == [["ana@example.org"]]
    assert not Appointment.objects.due_for_reminder().exists()
