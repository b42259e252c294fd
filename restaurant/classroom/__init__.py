"""The classroom: what Order Up! adds to the restaurant so that notebooks can run it and look inside.

    settings.py   the restaurant's settings pointed at one kernel's Redis and run folder, plus the rest
    asgi.py       the restaurant's ASGI application behind the door (door.py)
    door.py       the door key: other users of a shared machine reach the ports, not the restaurant
    hosts.py      the hub's host names and public URL, for ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS
    trail.py      the order's trail: when each program touched an order, hooked in by apps.py
    layers.py     the channel layers, with the trail on the way through
    faults.py     broken cooks, one program at a time, from its environment (lab 28)

None of it is part of the restaurant: restaurant/settings.py, asgi.py, celery.py and the apps are
what a Django project of your own holds.
"""
