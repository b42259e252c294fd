from django.urls import path

from . import views

urlpatterns = [
    path("orders/", views.orders, name="orders"),
    path("orders/inline/", views.place_order_inline, name="place-order-inline"),
    path("orders/<int:order_id>/", views.order_detail, name="order-detail"),
    path("table/<int:table>/", views.table_page, name="table-page"),
    path("kitchen/", views.kitchen_display, name="kitchen-display"),
]
