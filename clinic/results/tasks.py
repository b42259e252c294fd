from asgiref.sync import async_to_sync
from celery.utils.log import get_task_logger
from channels.layers import get_channel_layer

from config.celery import app

from .groups import doctor_group
from .models import LabResult

logger = get_task_logger(__name__)


@app.task(bind=True)
def notify_doctor(self, result_id):
    """Push a new lab result to every page its doctor has open."""
    result = LabResult.objects.get(pk=result_id)
    async_to_sync(get_channel_layer().group_send)(
        doctor_group(result.doctor_id),
        {"type": "result.ready", "result": result.as_message()},
    )
    logger.info("%s: result %s sent to doctor %s", self.request.id, result.id, result.doctor_id)
