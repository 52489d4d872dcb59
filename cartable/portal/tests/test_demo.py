from django.contrib.auth.models import AnonymousUser

from cartable.accounts.models import User
from cartable.drive.models import Node
from cartable.pad.access import resolve
from cartable.pad.actions import authors
from cartable.pad.models import Pad, PadRevision
from cartable.portal.demo import create_demo


def test_demo_is_idempotent_and_fills_the_tools(db):
    lines = list(create_demo())
    assert any("DEMO4EB1" in line for line in lines)
    again = list(create_demo())
    assert User.objects.filter(username="lea.4eb").count() == 1
    names = set(Node.objects.filter(trashed=False).values_list("name", flat=True))
    assert {"Séquence 2 — La Révolution", "Photo de classe.jpg", "frise-lea.txt"} <= names
    assert Node.objects.filter(name="frise-lea.txt").count() == 1
    assert len(again) <= len(lines)

    report = Pad.objects.get(title="Compte rendu du conseil pédagogique")
    assert "Rédaction d'un cahier de la classe" in report.text  # the table's last cell
    # Written by both teachers, each in their own colour.
    writers = {a.name for a in authors.authors_of_pad(report)}
    assert {"Claire Martin", "Paul Bernard"} <= writers
    assert PadRevision.objects.filter(pad=report).count() == 3
    assert Pad.objects.filter(title__startswith="Notes de cours").count() == 1


def test_demo_pads_are_open_to_their_people_only(db):
    list(create_demo())
    report = Pad.objects.get(title="Compte rendu du conseil pédagogique")
    notes = Pad.objects.get(title__startswith="Notes de cours")
    paul, lea = User.objects.get(display_name="Paul Bernard"), User.objects.get(username="lea.4eb")
    assert resolve(paul, report.pad_id).can_edit
    assert resolve(lea, notes.pad_id).can_edit
    assert resolve(lea, report.pad_id) is None
    for pad in (report, notes):
        assert resolve(AnonymousUser(), pad.pad_id) is None
