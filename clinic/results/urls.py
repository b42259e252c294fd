from django.urls import path

from . import views

urlpatterns = [
    path("doctors/<int:doctor_id>/", views.doctor_page, name="doctor-page"),
    path("api/results/", views.receive_result, name="receive-result"),
]
