from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "restaurant.payments"
    label = "payments"
    default_auto_field = "django.db.models.BigAutoField"
