"""Personas and helpers shared by every test of Cartable."""

from __future__ import annotations

import contextlib
import os
import uuid
from urllib.parse import quote

import boto3
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from cartable.accounts.actions import create_group
from cartable.accounts.models import Membership
from cartable.core import limits
from cartable.core.events import capture_events
from cartable.testing.browser import browser, browser_context, page, server  # noqa: F401
from cartable.testing.factories import PASSWORD, StructureFactory, StudentFactory, UserFactory
from cartable.testing.servers import clean_env, running


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, where asyncio tests could no longer start their own.

    Tests marked ``scaled`` need PostgreSQL and Redis: they run in ``make test-scaled``.
    """
    items.sort(key=lambda item: "browser" in item.keywords)
    if os.environ.get("CARTABLE_DATABASE_URL") and os.environ.get("CARTABLE_REDIS_URL"):
        return
    skip = pytest.mark.skip(
        reason="needs CARTABLE_DATABASE_URL and CARTABLE_REDIS_URL (make test-scaled)"
    )
    for item in items:
        if "scaled" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Close what tests left open before the test database is dropped.

    Async tests reach the database through ``sync_to_async`` threads, whose connections
    Django never closes; PostgreSQL refuses to drop a database still in use.
    """
    yield

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def _s3_bucket(options: dict):
    s3 = boto3.resource(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        aws_access_key_id=options.get("access_key"),
        aws_secret_access_key=options.get("secret_key"),
        region_name=options.get("region_name"),
    )
    return s3.Bucket(options["bucket_name"])


@pytest.fixture(scope="session", autouse=True)
def _s3_bucket_exists():
    """With S3 storage (the scaled-out suite), the bucket is made once for the run."""

    default = settings.STORAGES["default"]
    if default["BACKEND"].endswith("S3Storage"):
        bucket = _s3_bucket(default["OPTIONS"])
        if bucket.creation_date is None:
            bucket.create()


@pytest.fixture(autouse=True)
def _eager_jobs(settings, tmp_path):
    """Jobs run inline, files go to a per-test folder (or S3 prefix), unless a test says otherwise."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    default = settings.STORAGES["default"]
    s3_prefix = None
    if default["BACKEND"].endswith("FileSystemStorage"):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": tmp_path / "files"},
            },
        }
    elif default["BACKEND"].endswith("S3Storage"):
        s3_prefix = f"tests/{uuid.uuid4().hex}"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": s3_prefix}},
        }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    if s3_prefix:
        _s3_bucket(default["OPTIONS"]).objects.filter(Prefix=f"{s3_prefix}/").delete()


@pytest.fixture(autouse=True)
def _fresh_secret_counters(monkeypatch):
    """Failed-attempt counters (cartable.core.limits) start at zero in every test."""

    monkeypatch.setattr(limits, "NAMESPACE", f"limits-{uuid.uuid4().hex}")


@pytest.fixture
def academy(db):
    return StructureFactory(
        kind="academy",
        name="Académie de Lyon",
        email_domains="ac-lyon.fr,*.ac-lyon.fr",
        external_id="ac-lyon",
    )


@pytest.fixture
def school(academy):
    return StructureFactory(
        kind="school",
        name="Collège Jean Moulin",
        parent=academy,
        email_domains="jean-moulin.ac-lyon.fr",
        external_id="0691234A",
    )


@pytest.fixture
def other_school(db):
    academy = StructureFactory(
        kind="academy", name="Académie de Nantes", email_domains="ac-nantes.fr"
    )
    return StructureFactory(kind="school", name="Lycée Jules Verne", parent=academy)


@pytest.fixture
def teacher(school):
    return UserFactory(
        email="claire.martin@jean-moulin.ac-lyon.fr",
        username="claire",
        display_name="Claire Martin",
        structure=school,
    )


@pytest.fixture
def other_teacher(other_school):
    return UserFactory(
        email="paul.durand@ac-nantes.fr",
        username="paul",
        display_name="Paul Durand",
        structure=other_school,
    )


@pytest.fixture
def colleague(school):
    """A teacher of the same school as ``teacher``."""
    return UserFactory(
        email="ahmed.benali@jean-moulin.ac-lyon.fr",
        username="ahmed",
        display_name="Ahmed Benali",
        structure=school,
    )


@pytest.fixture
def klass(teacher):
    return create_group(teacher, "4e B")


@pytest.fixture
def student(klass):
    student = StudentFactory(username="lea.4eb", display_name="Léa", structure=klass.structure)
    Membership.objects.create(group=klass, user=student, role=Membership.Role.MEMBER)
    return student


@pytest.fixture
def guest():
    return AnonymousUser()


@pytest.fixture
def admin(db):
    return UserFactory(email="admin@ac-lyon.fr", username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def events(django_capture_on_commit_callbacks):
    """``with events() as sent:`` — the real-time events sent once the block's work commits."""

    @contextlib.contextmanager
    def capture():
        with capture_events() as captured, django_capture_on_commit_callbacks(execute=True):
            yield captured

    return capture


# --- Scaled out: two `cartable serve` processes sharing PostgreSQL, Redis and S3 ----------


def _test_database_url() -> str:
    """The database pytest-django made for this run, for the servers to share."""

    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return (
        f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        # The servers' connections are told from the test process's own in pg_stat_activity.
        f"?application_name={SERVERS_APPLICATION_NAME}"
    )


# Each server's connection pool: small, so that a connection held outside the pool's rules
# starves the server (and a test notices) instead of going unseen.
SERVERS_POOL = {
    "CARTABLE_DATABASE_POOL_MIN": "1",
    "CARTABLE_DATABASE_POOL_MAX": "4",
    "CARTABLE_DATABASE_POOL_TIMEOUT": "30",
}
SERVERS_APPLICATION_NAME = "cartable-two-servers"


@pytest.fixture(scope="session")
def two_servers(django_db_setup, tmp_path_factory):
    """Servers A and B (``--no-worker --no-migrate``) on the test database, each with a small
    connection pool (``SERVERS_POOL``); for ``scaled`` tests.

    Started once for the run, stopped before the test database is dropped. Tests give them
    data with ``transactional_db`` (see ``scaled_users``), as the servers only see commits.
    """

    if connection.vendor != "postgresql":
        pytest.skip("two servers share a PostgreSQL database (make test-scaled)")
    data_dir = tmp_path_factory.mktemp("scaled")
    env = clean_env(
        data_dir,
        CARTABLE_DATABASE_URL=_test_database_url(),
        CARTABLE_DATABASE_CONN_MAX_AGE="0",
        **SERVERS_POOL,
        CARTABLE_REDIS_URL=settings.REDIS_URL,
        CARTABLE_REDIS_PREFIX=os.environ.get("CARTABLE_REDIS_PREFIX", "cartable"),
        # Both servers must sign and check sessions with one key, as in production.
        CARTABLE_SECRET_KEY=settings.SECRET_KEY,
        **{k: v for k, v in os.environ.items() if k.startswith("CARTABLE_S3_")},
    )
    with (
        running(env, "--no-worker", "--no-migrate", log_dir=data_dir) as a,
        running(env, "--no-worker", "--no-migrate", log_dir=data_dir) as b,
    ):
        yield a, b


@pytest.fixture
def scaled_users(transactional_db, settings, teacher, colleague):
    """``teacher`` and ``colleague`` committed, with passwords the servers' hasher checks."""

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    for user in (teacher, colleague):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return teacher, colleague
