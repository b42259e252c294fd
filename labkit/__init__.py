"""labkit: the toolbox every Order Up! notebook imports.

    import labkit
    kitchen = labkit.open_restaurant()        # Redis + a Celery worker + Daphne, for this kernel
    labkit.keys()                             # what is in Redis right now
    labkit.close_restaurant()
"""
from .checks import check, filled
from .errors import LabCheckFailed, LabkitError, PortInUse, RedisNotFound, ServiceFailed
from .follow import follow_order
from .processes import wait_until
from .redis_inspect import decode_ticket, keys, monitor, tickets
from .restaurant import Restaurant, close_restaurant, current, open_restaurant
from .setup_check import check_setup

__all__ = [
    "LabCheckFailed", "LabkitError", "PortInUse", "RedisNotFound", "ServiceFailed",
    "Restaurant", "check", "check_setup", "close_restaurant", "current", "decode_ticket", "filled", "follow_order",
    "keys", "monitor", "open_restaurant", "tickets", "wait_until",
]
