"""The code's layout holds: labkit's layers import only the layers above them, no module grows past
about 300 lines, the restaurant's own files carry nothing of the classroom's, and the facts labkit
keeps about the restaurant are the restaurant's own."""
from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from conftest import ROOT

LABKIT = ROOT / "labkit"
# each layer, and the layers it may import (besides itself); the top-level package may import all
LAYERS = {
    "runtime": set(),
    "services": {"runtime"},
    "kitchen": {"runtime", "services"},
    "look": {"runtime", "kitchen"},
    "drills": {"runtime", "kitchen", "look"},
    "authoring": {"runtime", "look"},
    "doctor": {"runtime", "services", "kitchen", "look", "queue_race"},
    "queue_race": {"runtime", "services", "look"},
}
# the restaurant's files a learner reads: what a Django developer writes, nothing of the course
RESTAURANT_FILES = ["manage.py", "restaurant/settings.py", "restaurant/production.py", "restaurant/asgi.py",
                    "restaurant/celery.py", "restaurant/urls.py", "restaurant/orders/views.py",
                    "restaurant/orders/tasks.py", "restaurant/orders/consumers.py", "restaurant/orders/routing.py",
                    "restaurant/orders/models.py", "restaurant/payments/tasks.py", "restaurant/payments/models.py"]


def labkit_imports(path) -> set[str]:
    """The labkit layers a module imports (``labkit.<layer>...``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("labkit."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("labkit.")}
    return found


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_a_layer_imports_only_the_layers_it_stands_on(layer):
    wrong = {}
    for path in sorted((LABKIT / layer).rglob("*.py")):
        extra = labkit_imports(path) - LAYERS[layer] - {layer}
        if extra:
            wrong[str(path.relative_to(ROOT))] = sorted(extra)
    assert wrong == {}


def test_labkit_has_no_loose_modules_and_none_is_long():
    loose = sorted(p.name for p in LABKIT.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert loose == []
    long = {str(p.relative_to(ROOT)): n for p in LABKIT.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 310}
    assert long == {}


@pytest.mark.parametrize("name", RESTAURANT_FILES)
def test_the_restaurants_own_files_carry_nothing_of_the_classroom(name):
    text = (ROOT / name).read_text()
    for sign in ("ORDERUP_", "labkit", "classroom", "trace", "door_key", "BUZZ_"):
        assert sign not in text or (name == "restaurant/settings.py" and sign == "classroom"), (name, sign)


def test_the_relay_names_labkit_uses_are_the_restaurants():
    from labkit.kitchen import facts
    tasks = (ROOT / "restaurant/orders/tasks.py").read_text()
    consumers = (ROOT / "restaurant/orders/consumers.py").read_text()
    assert 'f"table_{order.table}"' in tasks and 'f"table_{self.table}"' in consumers
    assert facts.table_group(5) == "table_5"
    assert f'"type": "{facts.BUZZ}"' in tasks
    assert f"async def {facts.BUZZ.replace('.', '_')}(self, event)" in consumers
    settings = (ROOT / "restaurant/settings.py").read_text()
    numbers = dict(re.findall(r'"(broker|results|channel layer|cache)": (\d)', settings))
    assert {k: int(v) for k, v in numbers.items()} == facts.databases()


def test_manage_py_is_the_entry_every_django_developer_expects(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "no issues" in done.stdout, done.stdout + done.stderr
    classroom = subprocess.run([sys.executable, "manage.py", "check", "--settings=restaurant.classroom.settings"],
                               cwd=ROOT, capture_output=True, text=True,
                               env={**env, "ORDERUP_RUN_DIR": str(tmp_path)})
    assert classroom.returncode == 0 and "no issues" in classroom.stdout, classroom.stdout + classroom.stderr
