"""In production: every secret from the environment, cookies over HTTPS only."""
import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
