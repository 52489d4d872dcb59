"""The database settings an administrator's variables give (read in a fresh process)."""

from __future__ import annotations

import json
import subprocess
import sys

from cartable.testing.servers import REPO, clean_env

POSTGRES = "postgres://cartable@db.internal:5432/cartable"
PRINT_DATABASE = (
    "import json, cartable.settings as s; print(json.dumps(s.DATABASES['default'], default=str))"
)


def settings_with(tmp_path, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRINT_DATABASE],
        env=clean_env(tmp_path, **variables),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def database(tmp_path, **variables: str) -> dict:
    done = settings_with(tmp_path, **variables)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_postgresql_connections_come_from_a_bounded_pool_by_default(tmp_path):
    db = database(tmp_path, CARTABLE_DATABASE_URL=POSTGRES)

    assert db["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 10}
    assert db["CONN_MAX_AGE"] == 0
    assert db["CONN_HEALTH_CHECKS"] is True


def test_the_pool_is_sized_by_its_variables(tmp_path):
    db = database(
        tmp_path,
        CARTABLE_DATABASE_URL=POSTGRES + "?application_name=web",
        CARTABLE_DATABASE_POOL_MIN="0",
        CARTABLE_DATABASE_POOL_MAX="25",
        CARTABLE_DATABASE_POOL_TIMEOUT="5",
    )

    assert db["OPTIONS"] == {
        "application_name": "web",
        "pool": {"min_size": 0, "max_size": 25, "timeout": 5},
    }


def test_persistent_connections_with_the_pool_stop_the_start(tmp_path):
    done = settings_with(
        tmp_path, CARTABLE_DATABASE_URL=POSTGRES, CARTABLE_DATABASE_CONN_MAX_AGE="60"
    )

    assert done.returncode != 0
    assert "CARTABLE_DATABASE_CONN_MAX_AGE must be 0 with the connection pool" in done.stderr


def test_a_pool_smaller_than_its_minimum_stops_the_start(tmp_path):
    done = settings_with(
        tmp_path,
        CARTABLE_DATABASE_URL=POSTGRES,
        CARTABLE_DATABASE_POOL_MIN="5",
        CARTABLE_DATABASE_POOL_MAX="2",
    )

    assert done.returncode != 0
    assert "CARTABLE_DATABASE_POOL_MIN" in done.stderr


def test_pool_max_zero_turns_the_pool_off_for_an_external_pooler(tmp_path):
    db = database(
        tmp_path,
        CARTABLE_DATABASE_URL=POSTGRES,
        CARTABLE_DATABASE_POOL_MAX="0",
        CARTABLE_DATABASE_CONN_MAX_AGE="60",
    )

    assert "pool" not in db.get("OPTIONS", {})
    assert db["CONN_MAX_AGE"] == 60


def test_sqlite_has_no_pool(tmp_path):
    db = database(tmp_path)

    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert "pool" not in db["OPTIONS"]
