"""Every link and button a person is offered on the demo data leads somewhere they may go."""

from __future__ import annotations

import pytest

from cartable.accounts.models import User
from cartable.testing.crawl import Crawler, signed_in_client

PERSONAS = {
    "teacher": "claire.martin@college-jean-moulin.ac-lyon.fr",
    "co-teacher": "paul.bernard@ac-lyon.fr",
    "student": "lea.4eb",
    "another student": "yanis.4eb",
    "anonymous": None,
}


@pytest.fixture
def demo(db, monkeypatch):
    from cartable.portal.demo import create_demo

    list(create_demo())


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_no_offered_link_or_button_is_refused(demo, client, persona):
    who = PERSONAS[persona]
    if who is None:
        crawler = Crawler(client, signed_in=False)
        starts = ["/"]
    else:
        user = User.objects.get(email=who) if "@" in who else User.objects.get(username=who)
        crawler = Crawler(signed_in_client(user), signed_in=True)
        starts = ["/", "/dashboard/"]
    problems = crawler.crawl(starts)
    assert not problems, "\n".join(str(p) for p in problems)
