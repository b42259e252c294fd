"""labkit: the toolbox every Order Up! notebook imports.

    import labkit
    kitchen = labkit.open_restaurant()        # Redis + a Celery worker + Daphne, for this kernel
    labkit.keys()                             # what is in Redis right now
    labkit.close_restaurant()
"""
from . import drills
from .board import rail_board
from .browser import browser_url
from .buzzers import Buzzer
from .breakdowns import BREAKDOWNS, fix, mystery_drill, order_and_listen, run_drill
from .checklist import checklist
from .checks import check, filled
from .doctor import doctor
from .events import overhear
from .errors import LabCheckFailed, LabkitError, PortInUse, RedisNotFound, ServiceFailed
from .follow import follow_order, follow_task
from .processes import wait_until
from .project_map import where_to_look
from .trail import median_steps, order_trail
from .redis_inspect import decode_ticket, hats, held_tickets, keys, monitor, tickets
from .restaurant import Restaurant, close_restaurant, current, open_restaurant
from .setup_check import check_setup
from .timing import compare, time_calls
from .web import WebClient, rush



def __getattr__(name):
    # TestClient imports Django, which must wait until labkit has pointed it at this kernel's Redis
    if name == "TestClient":
        from .test_client import TestClient
        return TestClient
    raise AttributeError(name)


__all__ = [
    "TestClient", "overhear", "where_to_look", "BREAKDOWNS", "checklist", "fix", "mystery_drill", "order_and_listen", "run_drill", "Buzzer", "browser_url", "median_steps", "order_trail",
    "WebClient", "drills", "compare", "rail_board", "rush", "time_calls",
    "LabCheckFailed", "LabkitError", "PortInUse", "RedisNotFound", "ServiceFailed",
    "Restaurant", "check", "check_setup", "doctor", "close_restaurant", "current", "decode_ticket", "filled", "follow_order", "follow_task", "hats", "held_tickets",
    "keys", "monitor", "open_restaurant", "tickets", "wait_until",
]


def _running_in_a_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return type(get_ipython()).__name__ == "ZMQInteractiveShell"


if _running_in_a_kernel():
    # Configure Django for this kernel's restaurant now, so `from restaurant.orders.models import
    # Order` works in any cell after `import labkit`, before or after the services start.
    try:
        current().prepare_django()
    except Exception as _error:  # a broken install: lesson 00's setup check will say what is missing
        import warnings
        warnings.warn(f"labkit could not set up Django in this kernel: {_error}", stacklevel=2)
