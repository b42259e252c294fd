from datetime import timedelta

from django.db import models
from django.utils import timezone


class Doctor(models.Model):
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class AppointmentQuerySet(models.QuerySet):
    def due_for_reminder(self, now=None):
        """Appointments in the next 24 hours whose patient has not been reminded yet."""
        now = now or timezone.now()
        return self.filter(starts_at__gt=now, starts_at__lte=now + timedelta(hours=24), reminder_sent_at=None)


class Appointment(models.Model):
    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="appointments")
    patient_name = models.CharField(max_length=100)
    patient_email = models.EmailField()
    starts_at = models.DateTimeField()
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    def __str__(self):
        return f"{self.patient_name} with {self.doctor} at {self.starts_at:%Y-%m-%d %H:%M}"
