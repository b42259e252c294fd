"""Settings, split by where the clinic runs: base.py is shared, dev.py, test.py and prod.py add to it.

Pick one with DJANGO_SETTINGS_MODULE (manage.py, config/celery.py and config/asgi.py default to dev).
"""
