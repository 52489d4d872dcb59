"""A published video plays in Chromium through the bundled HLS player."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import BrowserContext, Page

from cartable.testing.browser import sign_in
from cartable.tube.actions import processing
from cartable.tube.actions.publishing import create_channel, publish

from .conftest import chunks

pytestmark = pytest.mark.browser


@pytest.fixture
def video(transactional_db, teacher, klass, clips):
    """Published and processed in a thread of its own: Playwright's event loop runs in this
    one."""

    def make():
        try:
            channel = create_channel("4e B", by=teacher, group_id=klass.pk)
            made = publish(
                channel, chunks(clips["landscape"]), filename="l.mp4", title="Leçon 1", by=teacher
            )
            processing.process(made.pk)
            made.refresh_from_db()
            return made
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(make).result()


def test_a_pupil_plays_a_class_video(
    browser_context: BrowserContext, page: Page, server, video, student
):
    sign_in(browser_context, server, student)
    page.goto(video.get_absolute_url())

    player = page.locator("video[data-hls]")
    page.wait_for_selector("video[data-levels]", state="attached", timeout=15_000)
    assert int(player.get_attribute("data-levels")) >= 2
    player.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 1", timeout=15_000)
    assert player.get_attribute("data-error") is None
