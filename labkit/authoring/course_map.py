"""The course's map: its parts, which lessons each lesson needs, and the workshops' paths through it.

The README, INSTRUCTORS.md and the web site show these parts in this order (tests/test_course_map.py
checks they agree); the workshop schedules in INSTRUCTORS.md are built from the paths
(benchmarks/lesson_times.py). A lesson's needs are the lessons it builds on directly; what it needs
through them is the closure. tests/test_course_map.py checks that every need comes earlier, that a
lesson using a name taught elsewhere (tests/taught_names.py) needs the lesson that teaches it, and
that every path brings the lessons its lessons need.
"""
from __future__ import annotations

PARTS: list[tuple[str, list[str]]] = [
    ("The kitchen", ["00", "01", "02", "03"]),
    ("When it breaks", ["04", "05", "06"]),
    ("Order up: beat and the buzzers", ["07", "08", "09", "10"]),
    ("More of Celery", ["11", "12", "13", "14"]),
    ("Celery in production", ["15", "16", "17", "18", "19", "20", "21"]),
    ("Who is at the table", ["22", "23"]),
    ("Channels in production", ["24", "25", "26", "27"]),
    ("On your own", ["28", "29", "30"]),
]

NEEDS: dict[str, list[str]] = {
    "00": [],
    "01": ["00"],
    "02": ["01"],
    "03": ["02"],
    "04": ["03"],
    "05": ["03"],
    "06": ["05"],
    "07": ["03"],
    "08": ["03"],
    "09": ["08"],
    "10": ["09"],
    "11": ["10"],
    "12": ["11"],
    "13": ["05", "11"],
    "14": ["05"],
    "15": ["04", "06", "07"],
    "16": ["05"],
    "17": ["03"],
    "18": ["05", "12"],
    "19": ["05", "10"],
    "20": ["12"],
    "21": ["11", "16"],
    "22": ["09"],
    "23": ["22"],
    "24": ["23"],
    "25": ["24"],
    "26": ["09"],
    "27": ["23"],
    "28": ["04", "15", "24"],
    "29": ["10", "12", "15", "22"],
    "30": ["04", "14", "15", "16"],
}

# The workshops' paths: a half day shows the lessons live (the labs are homework); a day and three
# days teach each lesson with its lab.
HALF_DAY = ["00", "01", "02", "03", "05", "08", "09"]
ONE_DAY = ["00", "01", "02", "03", "05", "06", "08", "09", "10"]
THREE_DAYS = {"day 1": [f"{n:02d}" for n in range(0, 10)], "day 2": [f"{n:02d}" for n in range(10, 22)],
              "day 3": [f"{n:02d}" for n in range(22, 31)]}


def needed_by(lesson: str) -> set[str]:
    """Every lesson ``lesson`` builds on, directly or through another."""
    seen: set[str] = set()
    todo = list(NEEDS[lesson])
    while todo:
        need = todo.pop()
        if need not in seen:
            seen.add(need)
            todo.extend(NEEDS[need])
    return seen
