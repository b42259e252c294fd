from django.urls import include, path

urlpatterns = [
    path("", include("restaurant.orders.urls")),
]
