"""Is this machine ready for the course? `python -m labkit doctor`, or labkit.doctor() in a cell.

    report.py    the checks, one table, one verdict
    versions.py  the installed versions against the course's pins
"""
from labkit.doctor.report import Report, doctor
from labkit.doctor.versions import check_setup, parse_pins, pinned_versions

__all__ = ["Report", "check_setup", "doctor", "parse_pins", "pinned_versions"]
