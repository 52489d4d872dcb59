"""Every link and button a person is offered on the demo data leads somewhere they may go.

The demo (``cartable demo``, what ``make run`` shows a newcomer) is crawled as each persona:
its teacher, its co-teacher, a pupil who handed in homework, another pupil, and a visitor.
From the home page and the dashboard, :class:`cartable.testing.crawl.Crawler` follows every
same-origin link and submits every form (POST forms inside a savepoint that is rolled back),
a few hundred requests per persona, and the test fails on any that ends in a refusal: a 403,
"Accès refusé", the sign-in page for someone signed in, a crash, or a link to nothing.

How a new tool is covered (Visio, Tube, Blog, Forum…), with nothing to change here:

1. it registers its ``DemoData`` (what a visitor of the demo finds in it: a room, a video, a
   post… for the demo's class and people), its ``NavEntry`` and its ``ClassSection``
   (``cartable.core.registry``): the crawl starts at the dashboard and the class page, so it
   reaches the tool's pages through the top bar and the class hub, and from there everything
   they link to;
2. its pages offer each action from ``abilities(user, thing)``, as Drive's and Pad's do; a
   button shown to someone the server then refuses makes this test fail, with the page, the
   button's label and the answer;
3. a page that is slow to make for a reason that has nothing to do with access (a conversion,
   a transcoding) is kept out of the crawl by a setting or a stub in the fixture below, as
   office conversions are.
"""

from __future__ import annotations

import re

import pytest

from cartable.accounts.models import Group, User
from cartable.portal.demo import create_demo
from cartable.testing.crawl import Crawler, signed_in_client

PERSONAS = {
    "teacher": "claire.martin@college-jean-moulin.ac-lyon.fr",
    "co-teacher": "paul.bernard@ac-lyon.fr",
    "student": "lea.4eb",
    "another student": "yanis.4eb",
    "anonymous": None,
}
# Enough for the whole demo as its teacher (about 400 requests), with room to grow.
LIMIT = 800


@pytest.fixture
def demo(db, monkeypatch):
    # Office conversions (LibreOffice, seconds each) check access as the text export does;
    # without them the crawl stays fast.
    monkeypatch.setattr("cartable.core.office.soffice", lambda: None)
    list(create_demo())


def person(who: str) -> User:
    return User.objects.get(email=who) if "@" in who else User.objects.get(username=who)


def hub_links(client, group: Group) -> list[str]:
    """Where the class page's sections lead: the class's spaces in each tool."""
    html = client.get(group.get_absolute_url()).content.decode()
    hub = re.search(r'<div class="class-hub">(.*?)</div>', html, re.S)
    assert hub is not None, "the class page has no hub"
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', hub.group(1))]


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_no_offered_link_or_button_is_refused(demo, client, persona):
    who = PERSONAS[persona]
    group = Group.objects.get(name="4e B — Histoire-géographie")
    if who is None:
        crawler = Crawler(client, signed_in=False, limit=LIMIT)
        starts = ["/"]
    else:
        client = signed_in_client(person(who))
        crawler = Crawler(client, signed_in=True, limit=LIMIT)
        starts = ["/", "/dashboard/", group.get_absolute_url()]
    problems = crawler.crawl(starts)
    assert not problems, f"{len(problems)} refused:\n" + "\n".join(str(p) for p in problems)
    assert crawler.requests < LIMIT, "the crawl stopped before the end: raise LIMIT"
    if who is not None:
        links = hub_links(client, group)
        assert len(links) >= 3  # the class folder, its homework box, its pad at least
        assert all(crawler.reached(link) for link in links)
