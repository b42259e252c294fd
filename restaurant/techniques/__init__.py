"""The later lessons' variations of the cook, one module per technique they teach, each named for it:
acknowledgement (lesson 05), idempotency (06), periodic (07), canvas and queues (11), limits (16),
memory (17), pools (21), and timing (02: what a ticket costs). The restaurant's own cook stays in
orders/tasks.py; restaurant/celery.py has Celery import every module of this package, listed nowhere."""
