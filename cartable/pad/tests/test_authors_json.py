import pytest
from django.urls import reverse

from cartable.core.roles import Reach
from cartable.pad import actions, document, store
from cartable.pad.actions import authors

pytestmark = pytest.mark.django_db


def test_authors_json_lists_writers_and_authors_named_in_the_text(client, teacher, colleague):
    pad = actions.create_pad(owner=teacher, reach=Reach.LINK)
    claire = authors.author_for_user(teacher)
    ahmed = authors.author_for_user(colleague)
    actions.set_text(pad, "Bonjour", author_pk=claire.pk)
    # Text copied from elsewhere keeps its author mark, without a revision of that author.
    store.change(
        pad,
        lambda doc: document.append_content(
            doc,
            {
                "type": "doc",
                "content": [
                    {
                        "type": "paragraph",
                        "content": [
                            {
                                "type": "text",
                                "text": "Salut",
                                "marks": [{"type": "author", "attrs": {"id": ahmed.author_id}}],
                            }
                        ],
                    }
                ],
            },
        ),
    )
    client.force_login(colleague)
    data = client.get(reverse("pad:authors", args=[pad.readonly_id])).json()
    assert data == {
        "authors": {
            claire.author_id: {"name": "Claire Martin", "colour": claire.colour},
            ahmed.author_id: {"name": "Ahmed Benali", "colour": ahmed.colour},
        }
    }


def test_authors_json_is_refused_to_those_who_cannot_see_the_pad(client, teacher, other_teacher):
    pad = actions.create_pad(owner=teacher, reach=Reach.RESTRICTED)
    client.force_login(other_teacher)
    assert client.get(reverse("pad:authors", args=[pad.pad_id])).status_code == 404


def test_read_only_page_does_not_reveal_the_editing_id(client, teacher):
    pad = actions.create_pad(owner=teacher, text="Bonjour", reach=Reach.RESTRICTED)
    html = client.get(pad.get_readonly_url()).content.decode()
    assert pad.pad_id not in html
