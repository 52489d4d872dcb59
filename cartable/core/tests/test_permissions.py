from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cartable.accounts.actions import set_member
from cartable.core.models import Grant
from cartable.core.permissions import abilities, link_password_matches, role_for, visible
from cartable.core.roles import Reach, Role, best_role

from .conftest import SampleThing

pytestmark = pytest.mark.django_db


@pytest.fixture
def thing(teacher):
    return SampleThing.objects.create(owner=teacher, structure=teacher.structure)


def grant(thing, *, user=None, group=None, role=Role.VIEWER, manager_role=""):
    return Grant.objects.create(
        content_type=ContentType.objects.get_for_model(thing),
        object_id=thing.pk,
        user=user,
        group=group,
        role=role,
        manager_role=manager_role,
    )


def can(user, thing, action, **kw):
    return action in abilities(user, thing, SampleThing.ABILITIES, **kw)


def test_roles_are_ordered():
    assert Role.VIEWER < Role.COMMENTER < Role.EDITOR < Role.MANAGER < Role.OWNER
    assert best_role("viewer", None, "editor") == Role.EDITOR
    assert best_role(None) is None


def test_ability_table_is_cumulative():
    assert SampleThing.ABILITIES[Role.EDITOR] == {"view", "comment", "edit"}
    assert (
        "transfer" in SampleThing.ABILITIES[Role.OWNER]
        and "view" in SampleThing.ABILITIES[Role.OWNER]
    )


def test_owner_may_do_everything(teacher, thing):
    assert role_for(teacher, thing) == Role.OWNER
    assert can(teacher, thing, "transfer")


def test_restricted_thing_is_refused_to_everyone_else(
    thing, other_teacher, colleague, student, guest
):
    for persona in (other_teacher, colleague, student, guest):
        assert role_for(persona, thing) is None
        assert not can(persona, thing, "view")


def test_admin_may_moderate_but_not_own(thing, admin):
    assert role_for(admin, thing) == Role.MANAGER
    assert can(admin, thing, "delete") and not can(admin, thing, "transfer")


def test_user_grant_gives_its_role(thing, other_teacher, colleague):
    grant(thing, user=other_teacher, role=Role.EDITOR)
    assert can(other_teacher, thing, "edit")
    assert not can(other_teacher, thing, "share")
    assert role_for(colleague, thing) is None


def test_group_grant_reaches_members_and_managers_differently(
    thing, klass, student, colleague, teacher
):

    set_member(klass, colleague, "manager", by=teacher)
    grant(thing, group=klass, role=Role.VIEWER, manager_role=Role.EDITOR)
    assert role_for(student, thing) == Role.VIEWER
    assert not can(student, thing, "edit")
    assert role_for(colleague, thing) == Role.EDITOR


def test_structure_reach_is_for_staff_of_the_same_school(thing, colleague, other_teacher, student):
    thing.reach = Reach.STRUCTURE
    thing.save()
    assert role_for(colleague, thing) == Role.VIEWER
    assert role_for(other_teacher, thing) is None
    assert role_for(student, thing) is None  # students see only what their classes give them


def test_structure_reach_at_academy_level_covers_its_schools(thing, colleague, academy):
    thing.reach = Reach.STRUCTURE
    thing.structure = academy
    thing.save()
    assert role_for(colleague, thing) == Role.VIEWER


def test_platform_reach_is_every_signed_in_staff_member(thing, other_teacher, student, guest):
    thing.reach = Reach.PLATFORM
    thing.reach_role = Role.COMMENTER
    thing.save()
    assert can(other_teacher, thing, "comment")
    assert role_for(student, thing) is None
    assert role_for(guest, thing) is None


def test_link_reach_needs_the_token_and_respects_expiry(thing, guest):
    thing.reach = Reach.LINK
    thing.link_token = "s3cret-token"
    thing.save()
    assert role_for(guest, thing) is None
    assert role_for(guest, thing, link_token="wrong") is None
    assert role_for(guest, thing, link_token="s3cret-token") == Role.VIEWER
    thing.link_expires_at = timezone.now() - timedelta(minutes=1)
    thing.save()
    assert role_for(guest, thing, link_token="s3cret-token") is None


def test_link_password(thing):
    assert link_password_matches(thing, "anything")
    thing.link_password = make_password("open sesame")
    assert link_password_matches(thing, "open sesame")
    assert not link_password_matches(thing, "nope")


def test_public_reach_is_anyone(thing, guest):
    thing.reach = Reach.PUBLIC
    thing.save()
    assert can(guest, thing, "view")
    assert not can(guest, thing, "comment")


def test_inactive_user_gets_nothing_but_public(thing, teacher):
    teacher.is_active = False
    teacher.save()
    assert role_for(teacher, thing) is None


def test_visible_lists_what_each_persona_may_see(
    teacher, colleague, other_teacher, student, klass, guest, admin
):
    mine = SampleThing.objects.create(owner=teacher, structure=teacher.structure, title="mine")
    school_wide = SampleThing.objects.create(
        owner=teacher, structure=teacher.structure, reach=Reach.STRUCTURE, title="school"
    )
    public = SampleThing.objects.create(owner=teacher, reach=Reach.PUBLIC, title="public")
    by_link = SampleThing.objects.create(
        owner=teacher, reach=Reach.LINK, link_token="x", title="link"
    )
    for_class = SampleThing.objects.create(owner=teacher, title="class")
    grant(for_class, group=klass)

    def titles(user):
        return set(visible(user, SampleThing.objects.all()).values_list("title", flat=True))

    assert titles(teacher) == {"mine", "school", "public", "link", "class"}
    assert titles(colleague) == {"school", "public"}
    assert titles(other_teacher) == {"public"}
    assert titles(student) == {"public", "class"}
    assert titles(guest) == {"public"}
    assert titles(admin) == {"mine", "school", "public", "link", "class"}
    assert {mine.pk, school_wide.pk, public.pk, by_link.pk}
