"""Errors that say what happened and what to do next.

In a notebook they show their message alone, not a traceback: IPython renders an exception's
``_render_traceback_()`` when it has one, and the cell still fails. A learner reads the hint, not
labkit's insides (``%tb`` still shows the whole traceback).
"""


class _Explained:
    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class LabkitError(_Explained, RuntimeError):
    """Base class for every error labkit raises on purpose."""


class RedisNotFound(LabkitError):
    """No Redis-compatible server binary could be found."""


class PortInUse(LabkitError):
    """A port that was asked for is taken by another program."""


class ServiceFailed(LabkitError):
    """A service exited, or did not become ready in time. The message carries its log tail."""


class LabCheckFailed(_Explained, AssertionError):
    """A lab's check cell found the answer missing or wrong. The message carries a hint."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]  # "Not yet: ... Hint: ...", as a teacher says it
