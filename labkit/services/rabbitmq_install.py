"""Where RabbitMQ is installed, if it is: the rabbitmq-server script, and Erlang's epmd.

Debian's ``/usr/sbin/rabbitmq-server`` is a wrapper that refuses anyone but root and the
``rabbitmq`` user (and turns root into ``rabbitmq``), so the real script behind it is used.
"""
from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from labkit.runtime.errors import LabkitError

#: where packages put the real scripts; /usr/sbin and Homebrew's sbin are often not on PATH
SEARCH_DIRS = ("/usr/lib/rabbitmq/bin", "/usr/lib/rabbitmq/sbin", "/usr/local/sbin",
               "/opt/homebrew/sbin", "/usr/local/opt/rabbitmq/sbin", "/usr/sbin")

#: the Debian/Ubuntu wrapper's refusal; the script it wraps is /usr/lib/rabbitmq/bin/rabbitmq-server
DEBIAN_WRAPPER_MARK = b"Only root or rabbitmq should run"

INSTALL_ADVICE = (
    "Install RabbitMQ (it brings Erlang), then run the cell again:\n"
    "  - sudo apt-get install rabbitmq-server   (Debian/Ubuntu; the course runs its own private\n"
    "    broker, so the system service is not needed: sudo systemctl disable --now rabbitmq-server)\n"
    "  - brew install rabbitmq\n"
    "  - conda install -c conda-forge rabbitmq-server\n"
    "or set RABBITMQ_SERVER=/path/to/sbin/rabbitmq-server (the script from RabbitMQ's generic Unix "
    "package works too)."
)

class RabbitMQNotFound(LabkitError):
    """No usable rabbitmq-server script (or no Erlang to run it) could be found."""


def _is_debian_wrapper(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return DEBIAN_WRAPPER_MARK in f.read(8192)
    except OSError:
        return False


def _usable(path: Path) -> Path | None:
    """``path`` if it is a runnable rabbitmq-server script, the script behind Debian's wrapper if
    it is that wrapper, else None."""
    if not (path.is_file() and os.access(path, os.X_OK)):
        return None
    if _is_debian_wrapper(path):
        real = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
        return real if real.is_file() and not _is_debian_wrapper(real) else None
    return path


def find_rabbitmq_server() -> Path | None:
    """The rabbitmq-server script to run, or None: $RABBITMQ_SERVER, then PATH, then the places
    packages install it (Debian's /usr/lib/rabbitmq/bin, Homebrew's sbin, /usr/sbin)."""
    chosen = os.environ.get("RABBITMQ_SERVER")
    if chosen:
        return _usable(Path(chosen))
    candidates = [shutil.which("rabbitmq-server")]
    candidates += [os.path.join(d, "rabbitmq-server") for d in SEARCH_DIRS]
    for candidate in filter(None, candidates):
        found = _usable(Path(candidate))
        if found:
            return found
    return None


def find_epmd(erl: str) -> str | None:
    """The epmd that comes with this ``erl``: on PATH, or in the Erlang root's erts-*/bin."""
    on_path = shutil.which("epmd")
    if on_path:
        return on_path
    root = Path(os.path.realpath(erl)).parent.parent  # <root>/bin/erl
    for candidate in [root / "bin" / "epmd", *sorted(glob.glob(str(root / "erts-*" / "bin" / "epmd")))]:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None
