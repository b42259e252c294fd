# Load the Celery app when Django starts, so that @app.task functions bind to it in every program.
from .celery import app as celery_app

__all__ = ("celery_app",)
