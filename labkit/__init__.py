"""labkit: the toolbox every Order Up! notebook imports, in layers. Each uses only those above it,
but for one import: doctor/ asks queue_race/, listed below it, whether arq's venv is there.

    runtime/    processes that never outlive their kernel: run folders, the watchdog, one life
                cycle for every program, ports, the machine (no Django, no Redis client)
    services/   the programs: Redis (or a relay to yours), the Celery worker and beat, Daphne,
                Flower, RabbitMQ
    kitchen/    one kernel's restaurant (Restaurant), Django in the kernel, and clients that talk
                to it as customers do (WebClient, TestClient, Buzzer); the Jupyter front desk
    look/       what the programs leave behind: keys, tickets, the board, events, trails, timings
    drills/     the restaurant broken on purpose, and the relay checklist
    authoring/  labs made from solutions, and the labs' checks
    doctor/     is this machine ready?
    queue_race/ Celery and its neighbours raced on one Redis (lesson 14, make bench)

The notebooks' API is this module's names, listed here in one place:

    kitchen = labkit.open_restaurant()   # Redis, a worker and Daphne, for this kernel, empty
    labkit.keys()                        # what is in Redis right now
    labkit.show("restaurant/orders/tasks.py", "cook_order")   # the restaurant's real source
    with labkit.tape():                  # who says what to Redis, live, while the block runs
        ...
    labkit.close_restaurant()
    clinic = labkit.open_project("clinic")   # another project (clinic/), run the same way
    labkit.progress()                    # every lab exercise you have checked
"""
from labkit import drills
from labkit.authoring.checks import check, filled, install_answer_errors, progress
from labkit.doctor import check_setup, doctor
from labkit.drills.breakdowns import order_and_listen
from labkit.drills.checklist import checklist
from labkit.kitchen.buzzer import Buzzer
from labkit.kitchen.other_project import OpenProject, close_project, open_project
from labkit.kitchen.restaurant import (
    Restaurant,
    close_restaurant,
    current,
    open_restaurant,
)
from labkit.kitchen.web_client import WebClient, rush
from labkit.look.board import rail_board
from labkit.look.events import overhear
from labkit.look.follow import follow_order, follow_task
from labkit.look.programs import programs
from labkit.look.project_map import where_to_look
from labkit.look.redis import (
    decode_ticket,
    hats,
    held_tickets,
    key_shape,
    keys,
    monitor,
    tickets,
)
from labkit.look.source import show
from labkit.look.tape import tape
from labkit.look.timing import compare, percentile, plot, time_calls
from labkit.look.trail import median_steps, order_trail
from labkit.runtime.browser import browser_url
from labkit.runtime.errors import (
    LabCheckFailed,
    LabkitError,
    PortInUse,
    RedisNotFound,
    ServiceFailed,
)
from labkit.runtime.paths import course_home
from labkit.runtime.service import resident_memory
from labkit.runtime.tables import Table
from labkit.runtime.waiting import wait_until
from labkit.services.projects import DjangoProject

__all__ = [
    # the kitchen
    "open_restaurant", "close_restaurant", "current", "Restaurant",
    # another Django project, with the same guarantees (clinic/, or one of yours)
    "open_project", "close_project", "OpenProject", "DjangoProject",
    # talking to it as customers do
    "WebClient", "rush", "TestClient", "Buzzer", "browser_url",
    # looking inside
    "keys", "tickets", "decode_ticket", "monitor", "held_tickets", "hats", "key_shape", "rail_board",
    "show", "tape", "programs", "overhear", "order_trail", "median_steps", "follow_order", "follow_task",
    "where_to_look",
    # measuring
    "time_calls", "compare", "plot", "percentile", "Table", "resident_memory", "wait_until",
    # drills
    "drills", "order_and_listen", "checklist",
    # labs and the doctor
    "check", "filled", "progress", "doctor", "check_setup", "course_home",
    # errors
    "LabkitError", "LabCheckFailed", "PortInUse", "RedisNotFound", "ServiceFailed",
]


def __getattr__(name):
    # TestClient imports Django, which must wait until labkit has pointed it at this kernel's Redis
    if name == "TestClient":
        from labkit.kitchen.test_client import TestClient
        return TestClient
    raise AttributeError(name)


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
    install_answer_errors()  # a check cell that cannot read a wrong answer gives its hint, not a traceback
    # on a hub that runs the instructor's board: this learner's row, now, after each check, every 30 s
    from labkit.authoring import checks as _checks
    from labkit.kitchen import board as _board
    if _board.start():
        _checks.after_record.append(_board.report)
