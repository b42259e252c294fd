import json

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from appointments.models import Doctor

from .forms import LabResultForm
from .tasks import notify_doctor


def doctor_page(request, doctor_id):
    """The doctor's page: the latest results, and new ones as they arrive (results/consumers.py)."""
    doctor = get_object_or_404(Doctor, pk=doctor_id)
    latest = doctor.lab_results.order_by("-received_at")[:20]
    return render(request, "results/doctor.html", {"doctor": doctor, "results": latest})


@csrf_exempt  # the analyser is no browser: it shows a token instead of a CSRF cookie
@require_POST
def receive_result(request):
    """The lab's analyser posts a result here, as JSON, with `Authorization: Bearer <LAB_API_TOKEN>`."""
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not settings.LAB_API_TOKEN or not constant_time_compare(token, settings.LAB_API_TOKEN):
        return JsonResponse({"error": "unknown analyser"}, status=401)
    try:
        form = LabResultForm(json.loads(request.body))
    except ValueError:
        return JsonResponse({"error": "send JSON"}, status=400)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    result = form.save()
    # tell the doctor once the result is in the database: the worker must be able to read it
    transaction.on_commit(lambda: notify_doctor.apply_async(args=[result.id], queue="notifications"))
    return JsonResponse({"id": result.id}, status=201)
