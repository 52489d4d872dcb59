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
