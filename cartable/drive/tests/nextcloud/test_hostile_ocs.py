"""OCS parameters, crafted and random: every answer is an OCS answer, never a server error."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cartable.drive import actions
from cartable.testing.hostile import HOSTILE, Hostile, hostile_text, times

pytestmark = pytest.mark.django_db

API = "/ocs/v2.php/apps/files_sharing/api/v1"
NUMBERISH = ["0", "1", "3", "15", "31", "-1", "²", "١", "9" * 30, "1e3", " 1 ", "0x1", ""]
DATES = ["2030-01-01", "2024-13-45", "2024-02-30 25:61:61", "9999-99-99T99:99", "0000-00-00"]


def _value():
    return st.one_of(
        st.sampled_from(NUMBERISH + DATES),
        st.text(max_size=40),
        hostile_text(fragments=["9", "-", " ", "2024-", "é", "\x00"]).map(lambda t: t[:100_000]),
    )


@pytest.fixture
def folder(teacher):
    root = actions.root_of(actions.personal_space(teacher))
    return actions.create_folder(root, "Séquence 3", by=teacher)


def _is_ocs(response) -> bool:
    return response.status_code < 500 and "ocs" in response.json()


@HOSTILE
@given(
    st.fixed_dictionaries(
        {"path": st.just("/Séquence 3")},
        optional={
            "shareType": _value(),
            "permissions": _value(),
            "expireDate": _value(),
            "shareWith": _value(),
            "publicUpload": _value(),
            "label": _value(),
        },
    )
)
@example({"path": "/Séquence 3", "shareType": "3", "expireDate": "2024-13-45"})
@example({"path": "/Séquence 3", "shareType": "3", "permissions": "9" * 5000})
@example({"path": "/Séquence 3", "shareType": "0", "shareWith": "ahmed", "permissions": "x"})
def test_creating_a_share(client, teacher_auth, folder, params):
    response = client.post(
        f"{API}/shares?format=json", params, headers={"Authorization": teacher_auth}
    )
    assert _is_ocs(response)


@HOSTILE
@given(st.sampled_from(NUMBERISH) | st.text(min_size=1, max_size=40).filter(lambda t: "/" not in t))
@example("9" * 40)
@example("-" + "9" * 30)
def test_a_share_id(client, teacher_auth, share_id):
    response = client.get(
        f"{API}/shares/{quote(share_id, safe='')}?format=json",
        headers={"Authorization": teacher_auth},
    )
    assert response.status_code == 404 or _is_ocs(response)


@HOSTILE
@given(st.lists(_value(), max_size=5), _value())
@example(["²", "9" * 5000], "9" * 5000)
def test_searching_sharees(client, teacher_auth, share_types, per_page):
    query = "&".join(f"shareType[]={t}" for t in share_types)
    response = client.get(
        f"{API}/sharees?format=json&search=a&perPage={per_page}&{query}",
        headers={"Authorization": teacher_auth},
    )
    assert _is_ocs(response)


@pytest.mark.parametrize(
    "body",
    [Hostile.of("[" * 100_000), times('{"a":', 100_000), Hostile.of('{"shareType": "\\ud800"}')],
    ids=["deep list", "deep object", "lone surrogate"],
)
def test_a_json_body_that_cannot_be_read(client, teacher_auth, folder, body):
    response = client.post(
        f"{API}/shares?format=json",
        data=body,
        content_type="application/json",
        headers={"Authorization": teacher_auth},
    )
    assert _is_ocs(response)
