"""For `pytest`: no Redis needed (the channel layer lives in memory), e-mails kept in mail.outbox."""
from .dev import *  # noqa: F403

CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LAB_API_TOKEN = "test-token"
