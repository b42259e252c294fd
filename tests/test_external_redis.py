"""ORDERUP_USE_REDIS: the course on a Redis it did not start (an instructor's), lessons unchanged."""
from __future__ import annotations

import pytest

from labkit.kitchen.other_project import OpenProject, clinic
from labkit.kitchen.restaurant import Restaurant
from labkit.runtime.errors import LabkitError
from labkit.runtime.run import Run
from labkit.services.external_redis import external_redis
from labkit.services.redis import RedisServer

from conftest import ROOT, Kernel

pytestmark = pytest.mark.slow  # real kernels, browsers or installs: not in `make test-fast`


@pytest.fixture
def instructors_redis(tmp_path):
    server = RedisServer(Run(tmp_path / "instructor")).start()
    yield server
    server.stop()


def test_the_url_names_server_password_and_first_database():
    assert external_redis({}) is None
    assert external_redis({"ORDERUP_USE_REDIS": "redis://:s3cret@redis.example.org:6390/8"}) == {
        "host": "redis.example.org", "port": 6390, "username": "", "password": "s3cret", "first_db": 8}
    with pytest.raises(LabkitError, match="must look like"):
        external_redis({"ORDERUP_USE_REDIS": "localhost:6379"})


def test_a_wrong_password_is_explained(instructors_redis, home, monkeypatch):
    monkeypatch.setenv("ORDERUP_USE_REDIS", f"redis://:wrong@127.0.0.1:{instructors_redis.port}/0")
    kitchen = Restaurant(home, in_process_django=False)
    try:
        with pytest.raises(LabkitError, match="did not answer PING"):
            kitchen.start_redis()
    finally:
        kitchen.close()
        kitchen.run.close(remove=True)


def test_lessons_run_unchanged_on_an_existing_redis(instructors_redis, home, monkeypatch):
    monkeypatch.setenv("ORDERUP_USE_REDIS",
                       f"redis://:{instructors_redis.password}@127.0.0.1:{instructors_redis.port}/12")
    kernel = Kernel(home)
    try:
        # 00 looks at the Redis process; 04 stops "Redis" under the waiter and starts it again
        for lesson in ("notebooks/00-open-the-restaurant.ipynb", "solutions/00-open-the-restaurant.ipynb",
                       "notebooks/04-retries.ipynb"):
            kernel.run_notebook(ROOT / lesson)
        kernel.run("import labkit\nkitchen = labkit.open_restaurant()")
        assert kernel.run("print(kitchen.redis.client(db=2).connection_pool.connection_kwargs['db'])").strip() == "14"
        # lesson 11's listener: the workers' events travel on the broker's database, 12 here
        heard = kernel.run("from celery import chain\nfrom restaurant.techniques.canvas import fry, prep\n"
                           "heard = labkit.overhear(lambda: chain(prep.s('leeks'), fry.s()).delay().get(timeout=10))\n"
                           "print(heard.result, heard.summary(), heard.channels)")
        assert "leeks, chopped, fried" in heard and "'task-succeeded': 2" in heard, heard
        assert "/12.celeryev/task.multi" in heard, heard
    finally:
        kernel.shutdown()
    # the course kept to its four databases, 12 to 15, and the instructor's server is still up
    used = [db for db in range(16) if instructors_redis.client(db).dbsize()]
    assert used and set(used) <= {12, 13, 14, 15}, used
    assert instructors_redis.running and instructors_redis.client().ping()


def test_the_clinic_keeps_a_redis_of_its_own(instructors_redis, home, monkeypatch):
    """The four databases ORDERUP_USE_REDIS gives a learner are the restaurant's, emptied by each of its
    new days: the clinic (lesson 29) starts its own Redis, and leaves the instructor's untouched."""
    monkeypatch.setenv("ORDERUP_USE_REDIS", f"redis://:{instructors_redis.password}@127.0.0.1:{instructors_redis.port}/12")
    project = OpenProject(clinic(), home)
    try:
        project.open(beat=False, daphne=False)
        assert isinstance(project.redis, RedisServer) and project.redis.port != instructors_redis.port
        assert "1 node online" in project.celery("status")
    finally:
        project.close()
        project.run.close(remove=True)
    assert not [db for db in range(16) if instructors_redis.client(db).dbsize()]
