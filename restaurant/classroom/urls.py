"""The labs: with ORDERUP_YOUR_ROUTES=<module> (a module the learner wrote, labkit/kitchen/your_code.py),
settings.py makes this the ROOT_URLCONF: the module's ``urlpatterns`` (its views) come before the
restaurant's own (restaurant/urls.py), as asgi.py puts its ``websocket_urlpatterns`` first."""
import importlib
import os

from restaurant.urls import urlpatterns as restaurant_urlpatterns

yours = importlib.import_module(os.environ["ORDERUP_YOUR_ROUTES"])
urlpatterns = [*getattr(yours, "urlpatterns", []), *restaurant_urlpatterns]
