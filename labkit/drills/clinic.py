"""The capstone's faults: one real line of a copy of the clinic (clinic/) changed, on three hops, and
the doctor who meets it. The faults are numbered, so a cell that plants one says nothing of what it
changes; the evidence says it.

    clinic = labkit.open_project("clinic", copy=True)         # its programs run from a copy
    visit = await labkit.drills.clinic_fault(clinic, 1)       # a line changed, its program restarted,
    visit                                                     # a result posted to an open page
    labkit.drills.clinic_answer_key(clinic, visit, hop=..., file=..., line=...)   # after you named yours
    visit = await labkit.drills.a_result_arrives(clinic)      # after the fix: does the page hear it?

The map of the clinic's actors (``CLINIC_MAP``) is the answer key of the capstone lab's first
exercise; ``map_verdicts`` judges a learner's map, one actor at a time.
"""
from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import websockets

from labkit.drills import breakdowns
from labkit.drills.breakdowns import Mistake
from labkit.kitchen import door_keys
from labkit.kitchen.buzzer import Buzzer

FAULTS = {
    1: Mistake(
        "results/views.py", 'queue="notifications"', 'queue="notification"', "rail", ("daphne",),
        "the view sends notify_doctor to the queue 'notification'; the worker reads 'reminders' and "
        "'notifications' (its -Q), so the ticket waits in a list nobody reads"),
    2: Mistake(
        "results/tasks.py", '"type": "result.ready"', '"type": "result.new"', "consumer", ("worker",),
        "the task sends type 'result.new'; the consumer's handler result_ready() takes 'result.ready', so "
        "the consumer raises and Daphne closes the page's socket"),
    3: Mistake(
        "results/consumers.py", 'self.group_name = doctor_group(self.scope["url_route"]["kwargs"]["doctor_id"])',
        'self.group_name = f"doctor_{self.scope[\'url_route\'][\'kwargs\'][\'doctor_id\']}"', "group",
        ("daphne",),
        "the consumer names its group itself, 'doctor_<id>', instead of asking results/groups.py, whose "
        "doctor_group() the task uses: 'doctor-<id>'; a group_send to a group nobody joined reaches nobody"),
}
# where a fault is a disagreement between two lines, the other line is a right answer too (fixing
# either mends it): the type the task sends, or the handler's name
ALSO_RIGHT = {2: [("results/consumers.py", "def result_ready(")]}

# the blog's actors, found in the clinic: (file, name); any one pair of a list is right
CLINIC_MAP = {
    "waiter": [("results/views.py", "receive_result")],
    "hand-off": [("results/views.py", "apply_async"), ("results/views.py", "on_commit")],
    "cook": [("results/tasks.py", "notify_doctor")],
    "order up": [("results/tasks.py", "group_send")],
    "group": [("results/groups.py", "doctor_group")],
    "buzzer": [("results/consumers.py", "DoctorConsumer")],
    "handler": [("results/consumers.py", "result_ready")],
    "url wiring": [("results/routing.py", "websocket_urlpatterns"), ("config/asgi.py", "application"),
                   ("config/asgi.py", "ProtocolTypeRouter"), ("config/asgi.py", "URLRouter")],
}


@dataclass
class Visit:
    """A doctor's page open while the lab's analyser posts a result: what each side saw."""
    fault: int | None
    doctor: int
    page: str = ""
    analyser: int | None = None
    result_id: int | None = None
    heard: list[str] = field(default_factory=list)
    socket: Buzzer | None = field(default=None, repr=False)  # the page, when it stays open

    def __repr__(self) -> str:
        return "\n".join([f"doctor {self.doctor}'s page: {self.page}",
                          f"the analyser's post answered: {self.analyser}",
                          f"the page heard: {', '.join(self.heard) or 'nothing'}"])


def post_result(clinic, doctor: int, patient: str, test: str = "HbA1c", value: str = "6.1 %") -> tuple[int, dict]:
    """POST /api/results/ as the lab's analyser does (clinic/README.md's curl), with the door key."""
    body = json.dumps({"doctor": doctor, "patient_name": patient, "test": test, "value": value}).encode()
    request = urllib.request.Request(clinic.url("api/results/"), data=body, headers={
        "Content-Type": "application/json", door_keys.header(): clinic.door_key,
        "Authorization": f"Bearer {clinic.environment['LAB_API_TOKEN']}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")


async def a_result_arrives(clinic, doctor: int = 1, patient: str = "Ana Silva", wait: float = 5.0,
                           stay: bool = False) -> Visit:
    """Open doctor ``doctor``'s page socket, post a result for them, listen up to ``wait`` s. With
    ``stay`` the page stays open (its socket stays in its group, for the evidence) until Daphne restarts."""
    visit = Visit(None, doctor)
    page = None
    try:
        page = await Buzzer.connect(daphne=clinic.daphne, path=f"ws/doctors/{doctor}/")
        visit.page = "open"
    except websockets.InvalidStatus as refused:
        visit.page = f"refused (HTTP {refused.response.status_code})"
    visit.analyser, answer = await asyncio.to_thread(post_result, clinic, doctor, patient)
    visit.result_id = answer.get("id")
    if page is None:
        await asyncio.sleep(wait)
        return visit
    try:
        await page.wait_for_count(1, timeout=wait)
        visit.heard = [f"{m.get('patient_name')}: {m.get('test')} {m.get('value')}" for m in page.buzzes]
        if page.closed:
            visit.page = breakdowns.how_it_closed(page)
    finally:
        if stay:
            visit.socket = page
        else:
            await page.close()
    return visit


def plant(clinic, number: int) -> None:
    """Fault ``number`` in the copy, every other fault's file made right first (what differs from the
    course's files says which were changed), and the programs that run the files changed restarted."""
    fault = FAULTS[number]
    programs = set(fault.programs)
    for other in FAULTS.values():  # each on a file of its own
        if clinic.changed(other.file):
            clinic.restore(other.file)
            programs |= set(other.programs)
    clinic.edit(fault.file, fault.old, fault.new)
    clinic.restart(*sorted(programs))


async def clinic_fault(clinic, number: int, doctor: int = 1, patient: str = "Ana Silva") -> Visit:
    """Fault ``number`` planted, then a result for doctor ``doctor`` posted while their page is open."""
    plant(clinic, number)
    visit = await a_result_arrives(clinic, doctor, patient, stay=True)  # the doctor keeps the page open
    visit.fault = number
    return visit


# -- the answer key ------------------------------------------------------------------------------
def key(clinic, visit: Visit) -> tuple[str, str, int | None]:
    """The hop, the file and the line of the fault ``visit`` met."""
    fault = FAULTS[visit.fault]
    return fault.hop, fault.file, clinic.line_of(fault.file, fault.new) or clinic.line_of(fault.file, fault.old)


def verdicts(clinic, visit: Visit, hop, file, line) -> dict[str, bool]:
    """Whether the hop, the file (as grep prints it: results/tasks.py, not tasks.py, which the clinic
    has twice) and the line you named are the key's."""
    key_hop, key_file, key_line = key(clinic, visit)
    places = [(key_file, key_line)] + [(f, clinic.line_of(f, text)) for f, text in ALSO_RIGHT.get(visit.fault, [])]
    return breakdowns.verdicts(hop, file, line, key_hop, places)


def names_it(clinic, visit: Visit, hop, file, line) -> bool:
    return all(verdicts(clinic, visit, hop, file, line).values())


def clinic_answer_key(clinic, visit: Visit, hop=..., file=..., line=...) -> None:
    """The classroom's answer key for ``visit``'s fault, after you named the hop, the file and the line."""
    fault = FAULTS[visit.fault]
    _, _, number = key(clinic, visit)
    said = verdicts(clinic, visit, hop, file, line) if Ellipsis not in (hop, file, line) else {}
    breakdowns.say_what_was_named(hop, file, line, said)
    text = clinic.path(fault.file).read_text().splitlines()[number - 1].strip() if number else fault.new
    also = "".join(f"\n  or:   {f}, line {clinic.line_of(f, t)}:  {t.strip()}  (the other side: fixing it mends it too)"
                   for f, t in ALSO_RIGHT.get(visit.fault, []))
    print(f"The classroom's answer key (it planted this fault):\n  hop:  {fault.hop}\n"
          f"  file: {fault.file}, line {number}:  {text}{also}\n  why:  {fault.why}\n"
          f"  restart: {' and '.join(fault.programs)} (the program that runs this file's code)")


def _name_matches(answer, name: str) -> bool:
    said = str(answer).strip().removesuffix("()").removeprefix("def ").removeprefix("class ")
    return said == name or said.endswith("." + name)


def map_verdicts(answers: dict) -> dict[str, bool]:
    """For each actor of CLINIC_MAP: is the learner's (file, name) one of its right pairs?"""
    verdict = {}
    for actor, pairs in CLINIC_MAP.items():
        answer = answers.get(actor)
        verdict[actor] = (isinstance(answer, (tuple, list)) and len(answer) == 2
                          and any(breakdowns.same_file(answer[0], f) and _name_matches(answer[1], n) for f, n in pairs))
    return verdict
