from django.urls import include, path

urlpatterns = [
    path("", include("results.urls")),
]
