"""Pad pages in the frames of Moodle and Nextcloud, and Etherpad's old read-only address."""

import pytest

from cartable.pad import actions

pytestmark = pytest.mark.django_db


def test_pad_pages_refuse_frames_by_default(client, teacher):
    pad = actions.create_pad(owner=teacher)
    client.force_login(teacher)
    response = client.get(pad.get_absolute_url())
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_configured_sites_may_frame_pad_pages_and_only_them(client, teacher, settings):
    settings.PAD_FRAME_ANCESTORS = ["https://moodle.example.fr", "https://cloud.example.fr"]
    pad = actions.create_pad(owner=teacher)
    client.force_login(teacher)
    response = client.get(pad.get_absolute_url())
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://moodle.example.fr https://cloud.example.fr" in policy
    other = client.get("/pad/")
    assert other["X-Frame-Options"] == "DENY"


def test_etherpads_old_read_only_address_redirects(client, teacher):
    pad = actions.create_pad(owner=teacher, text="Lecture")
    response = client.get(f"/pad/ro/{pad.readonly_id}")
    assert response.status_code == 302
    assert response["Location"] == pad.get_readonly_url()
