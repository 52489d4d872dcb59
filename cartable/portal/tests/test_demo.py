from cartable.accounts.models import User


def test_demo_is_idempotent_and_fills_the_tools(db):
    from cartable.drive.models import Node
    from cartable.portal.demo import create_demo

    lines = list(create_demo())
    assert any("DEMO4EB1" in line for line in lines)
    again = list(create_demo())
    assert User.objects.filter(username="lea.4eb").count() == 1
    names = set(Node.objects.filter(trashed=False).values_list("name", flat=True))
    assert {"Séquence 2 — La Révolution", "Photo de classe.jpg", "frise-lea.txt"} <= names
    assert Node.objects.filter(name="frise-lea.txt").count() == 1
    assert len(again) <= len(lines)
    from cartable.pad.actions import authors
    from cartable.pad.models import Pad, PadRevision

    report = Pad.objects.get(title="Compte rendu du conseil pédagogique")
    assert "Rédaction d'un cahier de la classe" in report.text  # the table's last cell
    # Written by both teachers, each in their own colour.
    writers = {a.name for a in authors.authors_of_pad(report)}
    assert {"Claire Martin", "Paul Bernard"} <= writers
    assert PadRevision.objects.filter(pad=report).count() == 3
    assert Pad.objects.filter(title__startswith="Notes de cours").count() == 1
