"""Errors that say what happened and what to do next."""


class LabkitError(RuntimeError):
    """Base class for every error labkit raises on purpose."""


class RedisNotFound(LabkitError):
    """No Redis-compatible server binary could be found."""


class PortInUse(LabkitError):
    """A port that was asked for is taken by another program."""


class ServiceFailed(LabkitError):
    """A service exited, or did not become ready in time. The message carries its log tail."""


class LabCheckFailed(AssertionError):
    """A lab's check cell found the answer missing or wrong. The message carries a hint."""
