"""The drills: the restaurant broken on purpose, for real, and the tools to find what broke.

    crashes.py     kill the cook mid-task and count what happens to the tickets (lesson 05)
    charges.py     deliver the same charge twice and count the money taken (lesson 06)
    breakdowns.py  one hop of the relay broken the way real projects break (lesson 10)
    checklist.py   did the message make it this far? hop by hop, with evidence (lesson 10)

Lessons use the crash and charge drills as ``labkit.drills.kill_the_worker(...)`` and so on.
"""
from labkit.drills.charges import (
           charge_table,
           crash_between_claim_and_charge,
           duplicate_tickets,
           redelivery_after_crash,
)
from labkit.drills.crashes import (
           FAST_REDELIVERY,
           drill_table,
           fresh_worker,
           kill_a_pool_process,
           kill_the_worker,
)

__all__ = ["FAST_REDELIVERY", "charge_table", "crash_between_claim_and_charge", "drill_table",
           "duplicate_tickets", "fresh_worker", "kill_a_pool_process", "kill_the_worker",
           "redelivery_after_crash"]
