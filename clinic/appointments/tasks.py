from celery.utils.log import get_task_logger
from django.core.mail import send_mail
from django.utils import timezone

from config.celery import app

from .models import Appointment

logger = get_task_logger(__name__)


@app.task(bind=True, max_retries=3, default_retry_delay=60)
def send_reminder(self, appointment_id):
    """E-mail one patient about tomorrow's appointment, once."""
    appointment = Appointment.objects.select_related("doctor").get(pk=appointment_id)
    if appointment.reminder_sent_at is not None:
        return "already sent"
    try:
        send_mail(
            "Your appointment tomorrow",
            f"Dear {appointment.patient_name}, {appointment.doctor} expects you "
            f"on {appointment.starts_at:%A %d %B at %H:%M} (UTC).",
            None,  # DEFAULT_FROM_EMAIL
            [appointment.patient_email],
        )
    except OSError as exc:  # the mail server did not answer: try again in a minute
        raise self.retry(exc=exc) from exc
    appointment.reminder_sent_at = timezone.now()
    appointment.save(update_fields=["reminder_sent_at"])
    return "sent"


@app.task(bind=True)
def send_due_reminders(self):
    """Run by beat every minute: a reminder for each appointment due within a day."""
    due = list(Appointment.objects.due_for_reminder().values_list("id", flat=True))
    for appointment_id in due:
        send_reminder.delay(appointment_id)
    logger.info("%s queued %d reminders", self.name, len(due))
    return len(due)
