"""On a developer's machine: debug pages, and e-mails printed by the program that sends them."""
from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = SECRET_KEY or "django-insecure-clinic-dev-only"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
