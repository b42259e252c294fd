"""The drills: the restaurant broken on purpose, for real, and the tools to find what broke.

    crashes.py     kill the cook mid-task and count what happens to the tickets (lesson 05)
    charges.py     deliver the same charge twice and count the money taken (lesson 06)
    breakdowns.py  one real mistake in one line of the project, and the customer who meets it (lesson 10)
    project.py     a copy of the restaurant that the worker and Daphne run from, to break (lesson 10)
    clinic.py      the capstone's faults in a copy of the clinic, the doctor who meets them, its map's key
    django_tasks.py  Django's own tasks run by a real `manage.py db_worker`, and that worker killed (lesson 30)
    checklist.py   did the message make it this far? hop by hop, from the order's trail (the classroom's record)

Lessons use the crash and charge drills as ``labkit.drills.kill_the_worker(...)`` and so on, and
lesson 10's copy of the project as ``labkit.drills.Project(kitchen)``.
"""
from labkit.drills.charges import (
           charge_table,
           crash_between_claim_and_charge,
           duplicate_tickets,
           redelivery_after_crash,
)
from labkit.drills.clinic import a_result_arrives, clinic_answer_key, clinic_fault
from labkit.drills.crashes import (
           FAST_REDELIVERY,
           drill_table,
           fresh_worker,
           kill_a_pool_process,
           kill_the_worker,
)
from labkit.drills.project import Project

__all__ = ["FAST_REDELIVERY", "Project", "a_result_arrives", "charge_table", "clinic_answer_key", "clinic_fault",
           "crash_between_claim_and_charge", "drill_table",
           "duplicate_tickets", "fresh_worker", "kill_a_pool_process", "kill_the_worker",
           "redelivery_after_crash"]
