"""Pad on the class page: the class's pads, and "New pad for this class" for whoever may."""

import pytest
from django.urls import reverse

from cartable.core.registry import registry
from cartable.core.roles import Reach
from cartable.pad import actions
from cartable.pad.access import may_create_pad
from cartable.pad.platform import class_section
from cartable.testing.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_pad_registers_its_tool_top_bar_entry_and_class_section():
    assert registry.tools["pad"].url_name == "pad:index"
    assert registry.nav["pad"].namespaces == ("pad",)
    assert registry.class_sections["pad"].content is class_section


def test_class_section_lists_the_pads_of_the_class_the_person_may_open(
    teacher, student, klass, colleague
):
    notes = actions.create_pad(owner=teacher, group=klass, title="Notes de cours")
    actions.create_pad(owner=teacher, title="Brouillon", reach=Reach.RESTRICTED)
    content = class_section(student, klass)
    assert [(i.title, i.url) for i in content.items] == [
        ("Notes de cours", notes.get_absolute_url())
    ]
    assert [a.url for a in content.actions] == [f"/pad/?group={klass.public_id}"]


def test_no_pad_action_for_someone_outside_the_class(teacher, klass, other_teacher):
    actions.create_pad(owner=teacher, group=klass, title="Notes de cours")
    content = class_section(other_teacher, klass)
    assert content.items == [] and content.actions == []


def test_who_may_create_a_pad(teacher, student, klass, other_teacher, guest):
    assert may_create_pad(teacher) and may_create_pad(teacher, klass)
    assert may_create_pad(student, klass)
    assert not may_create_pad(student), "students write in their classes"
    assert not may_create_pad(other_teacher, klass)
    assert not may_create_pad(guest)


def test_new_pad_for_a_class_starts_with_the_class_chosen(client, student, klass):
    client.force_login(student)
    html = client.get(reverse("pad:index"), {"group": str(klass.public_id)}).content.decode()
    assert f'<option value="{klass.public_id}" selected>' in html
    # A student is not offered a pad of their own, which the server would refuse.
    assert '<option value=""' not in html


def test_a_student_in_no_class_is_not_offered_to_create_a_pad(client, klass):
    loner = StudentFactory(username="seul")
    client.force_login(loner)
    html = client.get(reverse("pad:index")).content.decode()
    assert 'name="group"' not in html
