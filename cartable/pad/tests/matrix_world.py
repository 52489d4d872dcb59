"""The pads and personas of the access matrix (``cartable.testing.access_matrix``), for the
web and API cases (``test_access_matrix.py``) and the websocket ones
(``test_access_matrix_socket.py``)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.test import Client

API_KEY = "matrix-api-key-0123456789abcdef"


@dataclass
class PadWorld:
    people: dict[str, Any]
    pads: dict[str, Any]
    tokens: dict[str, str]
    session_id: str
    clients: dict[str, Client] = field(default_factory=dict)

    def user(self, persona: str) -> Any:
        return self.people.get(persona) or AnonymousUser()

    def client(self, persona: str) -> Client:
        """A browser: signed in, anonymous, or holding the API session's cookie."""
        if persona not in self.clients:
            client = Client()
            user = self.people.get(persona)
            if user is not None:
                client.force_login(user)
            if persona == "api_session":
                client.cookies["sessionID"] = self.session_id
            self.clients[persona] = client
        return self.clients[persona]

    def api(self, function: str, **params: Any) -> dict[str, Any]:
        """The Etherpad API, with its key, as an integration calls it."""
        answer = Client().post(f"/pad/api/1.3.0/{function}", {"apikey": API_KEY, **params})
        result: dict[str, Any] = answer.json()
        return result


def build(personas: tuple[str, ...]) -> PadWorld:
    from cartable.accounts.actions import create_group, set_member
    from cartable.accounts.models import Membership
    from cartable.core.roles import Reach
    from cartable.pad import actions
    from cartable.pad.models import Pad
    from cartable.testing.factories import StructureFactory, StudentFactory, UserFactory

    academy = StructureFactory(kind="academy", name="Académie de Lyon")
    school = StructureFactory(kind="school", name="Collège Jean Moulin", parent=academy)
    far = StructureFactory(kind="academy", name="Académie de Nantes")
    far_school = StructureFactory(kind="school", name="Lycée Jules Verne", parent=far)
    owner = UserFactory(username="p.claire", display_name="Claire", structure=school)
    coteacher = UserFactory(username="p.nora", display_name="Nora", structure=school)
    colleague = UserFactory(username="p.ahmed", display_name="Ahmed", structure=school)
    other = UserFactory(username="p.paul", display_name="Paul", structure=far_school)
    admin = UserFactory(username="p.admin", is_superuser=True, is_staff=True)
    klass = create_group(owner, "4e B")
    set_member(klass, coteacher, Membership.Role.MANAGER, by=owner)
    student = StudentFactory(username="p.lea", display_name="Léa", structure=school)
    Membership.objects.create(group=klass, user=student, role=Membership.Role.MEMBER)
    other_class = create_group(colleague, "3e A")
    student_other = StudentFactory(username="p.zoe", display_name="Zoé", structure=school)
    Membership.objects.create(group=other_class, user=student_other, role="member")
    for user in (owner, coteacher, colleague):
        user.forget_group_roles()

    tokens = {
        "pad.restricted": "quince",
        "pad.class": "guava",
        "pad.link": "durian",
        "pad.api_group": "feijoa",
    }
    pads = {
        "pad.restricted": actions.create_pad(
            owner=owner, title="Bulletin quince", text="quince", reach=Reach.RESTRICTED
        ),
        "pad.class": actions.create_pad(
            owner=owner, title="Notes guava", text="guava", group=klass, reach=Reach.RESTRICTED
        ),
        "pad.link": actions.create_pad(
            owner=owner, title="Brouillon durian", text="durian", reach=Reach.LINK
        ),
    }
    world = PadWorld(
        people={
            "owner": owner,
            "coteacher": coteacher,
            "colleague": colleague,
            "other_teacher": other,
            "student": student,
            "student_other": student_other,
            "admin": admin,
        },
        pads=pads,
        tokens=tokens,
        session_id="",
    )
    # The group pad and its session, made through the API as an integration makes them.
    group = world.api("createGroup")["data"]["groupID"]
    author = world.api("createAuthor", name="Élève de Moodle")["data"]["authorID"]
    pad_id = world.api("createGroupPad", groupID=group, padName="feijoa", text="feijoa")["data"][
        "padID"
    ]
    pad = Pad.objects.get(pad_id=pad_id)
    pad.title = "Groupe feijoa"
    pad.save(update_fields=["title"])
    from cartable.pad.search import index_pad

    index_pad(pad)
    pads["pad.api_group"] = pad
    session = world.api(
        "createSession", groupID=group, authorID=author, validUntil=int(time.time()) + 86400
    )
    world.session_id = session["data"]["sessionID"]
    for persona in personas:
        if persona != "api_client":
            world.client(persona)
    return world
