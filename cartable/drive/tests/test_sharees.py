"""Whom one may share with is one rule on every path (web dialog, Nextcloud share API, the
actions, pads), and a refused recipient is answered exactly as one who does not exist."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.accounts.actions import create_app_password, create_group
from cartable.accounts.models import Membership
from cartable.core.models import Grant
from cartable.drive import actions
from cartable.drive.actions import sharing
from cartable.drive.errors import NotFound
from cartable.drive.tests.nextcloud.conftest import basic
from cartable.pad import actions as pad_actions
from cartable.testing.factories import StudentFactory

pytestmark = pytest.mark.django_db

API = "/ocs/v2.php/apps/files_sharing/api/v1"
UNKNOWN = "nobody.at.all"

# (sharer, recipient): a pupil shares with their class only; staff with their school too.
REFUSED = [
    ("student", "other_teacher"),  # a teacher of another academy
    ("student", "colleague"),  # a teacher of the school, not in the pupil's class
    ("student", "zoe"),  # a pupil of another class
    ("teacher", "other_teacher"),
]
ALLOWED = [("student", "teacher"), ("teacher", "colleague"), ("teacher", "student")]


@pytest.fixture
def people(teacher, colleague, other_teacher, student, klass):
    other_class = create_group(colleague, "3e A")
    zoe = StudentFactory(username="zoe.3ea", display_name="Zoé", structure=klass.structure)
    Membership.objects.create(group=other_class, user=zoe, role=Membership.Role.MEMBER)
    return {
        "teacher": teacher,
        "colleague": colleague,
        "other_teacher": other_teacher,
        "student": student,
        "zoe": zoe,
    }


def folder_of(user):
    root = actions.root_of(actions.personal_space(user))
    return actions.create_folder(root, "Exposé", by=user)


def ocs_share(client, sharer, share_with, share_type=0):
    _p, clear = create_app_password(sharer, "Nextcloud")
    return client.post(
        f"{API}/shares?format=json",
        {"path": "/Exposé", "shareType": share_type, "shareWith": share_with, "permissions": 1},
        headers={"Authorization": basic(sharer.username, clear)},
    )


@pytest.mark.parametrize(("sharer", "recipient"), REFUSED)
def test_nextcloud_api_answers_a_refused_recipient_as_an_unknown_one(
    client, people, sharer, recipient
):
    by, them = people[sharer], people[recipient]
    folder = folder_of(by)
    refused = ocs_share(client, by, them.username)
    unknown = ocs_share(client, by, UNKNOWN)
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()
    assert not Grant.objects.filter(object_id=folder.pk).exists()


@pytest.mark.parametrize(("sharer", "recipient"), ALLOWED)
def test_nextcloud_api_shares_with_whom_the_dialog_offers(client, people, sharer, recipient):
    by, them = people[sharer], people[recipient]
    folder = folder_of(by)
    assert ocs_share(client, by, them.username).status_code == 200
    assert Grant.objects.filter(object_id=folder.pk, user=them).exists()
    assert them in sharing.sharees(by, them.get_display_name())


@pytest.mark.parametrize(("sharer", "recipient"), REFUSED)
def test_refused_and_unknown_cost_the_same_queries(client, people, sharer, recipient):
    by, them = people[sharer], people[recipient]
    folder_of(by)
    ocs_share(client, by, UNKNOWN)  # the app password is checked and remembered
    with CaptureQueriesContext(connection) as refused:
        ocs_share(client, by, them.username)
    with CaptureQueriesContext(connection) as unknown:
        ocs_share(client, by, UNKNOWN)
    # Each call makes its own app password: compare what follows sign-in.
    assert len(refused.captured_queries) == len(unknown.captured_queries)


@pytest.mark.parametrize(("sharer", "recipient"), REFUSED)
def test_the_action_refuses_as_for_nobody(people, sharer, recipient):
    by, them = people[sharer], people[recipient]
    folder = folder_of(by)
    with pytest.raises(NotFound) as refused:
        sharing.share_with_user(folder, them, "viewer", by=by)
    with pytest.raises(NotFound) as unknown:
        sharing.find_sharee(by, username=UNKNOWN)
    assert refused.value.message == unknown.value.message
    assert them not in sharing.sharees(by, them.get_display_name())


@pytest.mark.parametrize(("sharer", "recipient"), REFUSED)
def test_web_dialog_refuses_a_chosen_id_as_an_unknown_one(client, people, sharer, recipient):
    by, them = people[sharer], people[recipient]
    folder = folder_of(by)
    client.force_login(by)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = f"/drive/n/{folder.public_id}/share"
    refused = client.post(url, {"action": "user", "person": str(them.public_id)}, follow=True)
    unknown = client.post(url, {"action": "user", "person": str(uuid.uuid4())}, follow=True)
    assert refused.status_code == unknown.status_code
    assert "Nobody of your school or classes matches this name." in refused.content.decode()
    assert not Grant.objects.filter(object_id=folder.pk).exists()


def test_groups_one_is_not_in_are_answered_as_no_group(client, people):
    teacher, other_teacher = people["teacher"], people["other_teacher"]
    theirs = create_group(other_teacher, "2nde 1")
    folder_of(teacher)
    refused = ocs_share(client, teacher, str(theirs.public_id), share_type=1)
    unknown = ocs_share(client, teacher, str(uuid.uuid4()), share_type=1)
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()


@pytest.mark.parametrize(("sharer", "recipient"), REFUSED)
def test_pads_follow_the_same_rule(people, sharer, recipient):
    by, them = people[sharer], people[recipient]
    pad = pad_actions.create_pad(owner=by, title="Exposé")
    with pytest.raises(ValidationError):
        pad_actions.share_with_user(pad, them, "editor", by=by)
    assert not Grant.objects.filter(object_id=pad.pk, user=them).exists()
