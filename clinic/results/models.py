from django.db import models


class LabResult(models.Model):
    doctor = models.ForeignKey("appointments.Doctor", on_delete=models.CASCADE, related_name="lab_results")
    patient_name = models.CharField(max_length=100)
    test = models.CharField(max_length=100)   # "HbA1c"
    value = models.CharField(max_length=100)  # "6.1 %"
    received_at = models.DateTimeField(auto_now_add=True)

    def as_message(self):
        return {"id": self.id, "patient_name": self.patient_name, "test": self.test, "value": self.value,
                "received_at": self.received_at.isoformat()}
