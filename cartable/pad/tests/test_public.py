"""What other tools use of Pad (cartable.pad.public), with the people who must be refused."""

import pytest
from django.core.exceptions import ValidationError

from cartable.pad import public
from cartable.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_pad_for_a_meeting_is_written_by_its_participants_only(
    teacher, colleague, other_teacher, student
):
    made = public.create_pad_for(teacher, "Notes de réunion", editors=[colleague])
    assert made.can_edit and made.title == "Notes de réunion"
    assert public.view_pad(colleague, made.pad_id).can_edit
    assert public.view_pad(other_teacher, made.pad_id) is None
    assert public.view_pad(student, made.pad_id) is None
    assert public.view_pad(None, made.pad_id) is None


def test_a_latecomer_is_added_by_the_owner_and_not_by_a_participant(teacher, colleague):
    latecomer = UserFactory(username="nora", structure=teacher.structure)
    made = public.create_pad_for(teacher, "Conseil", editors=[colleague])
    with pytest.raises(PermissionError):
        public.add_editors(colleague, made.pad_id, [latecomer])
    public.add_editors(teacher, made.pad_id, [latecomer])
    assert public.view_pad(latecomer, made.pad_id).can_edit


def test_editors_are_whom_the_owner_may_share_with(teacher, other_teacher):
    """One rule for whom one shares with (accounts.sharees), for other tools' pads too."""

    made = public.create_pad_for(teacher, "Conseil")
    with pytest.raises(ValidationError):
        public.add_editors(teacher, made.pad_id, [other_teacher])
    assert public.view_pad(other_teacher, made.pad_id) is None


def test_a_class_pad_is_open_to_the_class(teacher, student, klass):
    made = public.create_pad_for(teacher, "Sortie", group=klass)
    assert public.view_pad(student, made.pad_id).can_edit


def test_viewing_shows_the_text_and_refuses_unknown_pads(teacher):
    made = public.create_pad_for(teacher, "Vide")
    assert public.view_pad(teacher, made.pad_id).text == ""
    assert public.view_pad(teacher, "nope") is None
