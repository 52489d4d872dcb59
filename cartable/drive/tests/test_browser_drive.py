"""Drive in Chromium: drops with progress, resumable uploads, file drop links, zips, sharing."""

from __future__ import annotations

import io
import os
import secrets
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cartable.core.roles import Role
from cartable.drive import actions
from cartable.drive.models import ShareLink
from cartable.drive.tests.conftest import put, read
from cartable.testing.browser import axe_violations, format_violations, new_context, sign_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("CARTABLE_SHOTS_DIR", "/tmp/drive-shots"))  # noqa: S108

# The test server's in-memory SQLite locks a table for concurrent writers (SQLITE_LOCKED, which
# no busy timeout waits for), where the real database waits: the tests upload one at a time.
ONE_AT_A_TIME = "() => { document.querySelector('[data-uploader]').dataset.parallel = 1; }"
DROP = """async ({names, size}) => {
  document.querySelector("[data-uploader]").dataset.parallel = 1;
  const dt = new DataTransfer();
  for (const name of names) dt.items.add(new File([new Uint8Array(size).fill(65)], name, {type: "text/plain"}));
  const target = document.querySelector("[data-listing]");
  target.dispatchEvent(new DragEvent("dragenter", {bubbles: true, dataTransfer: dt}));
  target.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
  target.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
}"""


def test_drop_files_with_progress_then_listed(page: Page, server, teacher, my_root):
    sign_in(page.context, server, teacher)
    page.goto("/drive/")
    page.evaluate(DROP, {"names": ["un.txt", "deux été.txt", "trois 🎒.txt"], "size": 200_000})
    uploads = page.locator("[data-uploads]")
    expect(uploads).to_be_visible()
    expect(uploads.locator("li")).to_have_count(3)
    expect(uploads.locator("li[data-state=done]")).to_have_count(3)
    expect(page.locator("[data-total]")).to_have_attribute("value", "100")
    listing = page.locator("[data-listing] tbody")
    for name in ("un.txt", "deux été.txt", "trois 🎒.txt"):
        expect(listing).to_contain_text(name)
    assert read(actions.live_child(my_root, "deux été.txt")) == b"A" * 200_000


def test_pick_a_whole_folder(page: Page, server, teacher, my_root, tmp_path):
    tree = tmp_path / "Sortie scolaire"
    (tree / "photos").mkdir(parents=True)
    (tree / "programme.txt").write_text("9h départ")
    (tree / "photos" / "car.jpg").write_bytes(b"\xff\xd8jpeg")
    sign_in(page.context, server, teacher)
    page.goto("/drive/")
    page.evaluate(ONE_AT_A_TIME)
    page.locator("#upload-folder").set_input_files(str(tree))
    expect(page.locator("[data-uploads] li[data-state=done]")).to_have_count(2)
    expect(page.locator("[data-listing] tbody")).to_contain_text("Sortie scolaire")
    folder = actions.live_child(my_root, "Sortie scolaire")
    photos = actions.live_child(folder, "photos")
    assert read(actions.live_child(photos, "car.jpg")) == b"\xff\xd8jpeg"


def test_upload_resumes_after_the_connection_is_cut(browser, server, teacher, my_root):
    # Its own tab: the cut connection is logged as an error, which the ``page`` fixture refuses.
    context = new_context(browser, server)
    page = context.new_page()
    size = 5 * 64 * 1024 + 123
    sign_in(context, server, teacher)
    page.goto("/drive/")
    page.evaluate("() => { document.querySelector('[data-uploader]').dataset.chunkSize = 65536; }")
    cut: list[str] = []
    sent: list[tuple[str, int]] = []

    def route(route):
        request = route.request
        if (
            request.method == "PATCH"
            and request.headers.get("upload-offset") == str(2 * 65536)
            and not cut
        ):
            cut.append(request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/drive/tus/**", route)
    page.on(
        "requestfinished",
        lambda r: (
            sent.append((r.method, int(r.headers.get("upload-offset", "-1"))))
            if r.method in ("PATCH", "HEAD")
            else None
        ),
    )
    page.evaluate(DROP, {"names": ["gros.bin"], "size": size})
    expect(page.locator("[data-uploads] li[data-state=done]")).to_have_count(1, timeout=30_000)
    assert cut, "the connection was never cut"
    patches = [offset for method, offset in sent if method == "PATCH"]
    # Every chunk reached the server once: no offset sent twice, HEAD asked where to resume.
    assert patches == sorted(set(patches)) and len(patches) == 6
    assert ("HEAD", -1) in sent
    assert read(actions.live_child(my_root, "gros.bin")) == b"A" * size
    context.close()


def test_name_conflict_asks_replace_or_keep_both(browser, server, teacher, my_root):
    # Its own tab: Chromium logs the server's 409 answer as an error.
    context = new_context(browser, server)
    page = context.new_page()
    put(my_root, "cours.txt", b"old", teacher)
    sign_in(context, server, teacher)
    page.goto("/drive/")
    page.evaluate(DROP, {"names": ["cours.txt"], "size": 10})
    choices = page.locator(".upload-choices button")
    expect(choices).to_have_count(3)
    choices.nth(1).click()  # keep both
    expect(page.locator("[data-uploads] li[data-state=done]")).to_have_count(1)
    assert read(actions.live_child(my_root, "cours (2).txt")) == b"A" * 10
    context.close()


def test_folder_downloads_as_a_zip(page: Page, server, teacher, my_root):
    folder = actions.create_folder(my_root, "Évaluations", by=teacher)
    put(folder, "sujet.txt", b"sujet", teacher)
    put(actions.create_folder(folder, "corrigés", by=teacher), "c1.txt", b"c1", teacher)
    sign_in(page.context, server, teacher)
    page.goto(f"/drive/f/{folder.public_id}")
    with page.expect_download() as info:
        page.locator(f"a[href='/drive/f/{folder.public_id}/zip']").first.click()
    data = Path(info.value.path()).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.read("Évaluations/sujet.txt") == b"sujet"
    assert archive.read("Évaluations/corrigés/c1.txt") == b"c1"


def test_student_drops_homework_through_a_link_teacher_sees_it(
    page: Page, browser, server, teacher, my_root
):
    box = actions.create_folder(my_root, "Devoir 3", by=teacher)
    put(box, "sujet-prof.pdf", b"%PDF", teacher)
    link = ShareLink.objects.create(
        node=box, token=secrets.token_urlsafe(16), role=Role.EDITOR, file_drop=True
    )
    anonymous = new_context(browser, server)
    student = anonymous.new_page()
    student.goto(f"/drive/s/{link.token}")
    expect(student.locator("main")).not_to_contain_text("sujet-prof.pdf")
    student.locator("#uploader-name").fill("Léa Petit")
    student.locator("#upload-files").set_input_files(
        files=[{"name": "ma copie.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-lea"}]
    )
    expect(student.locator("[data-uploads] li[data-state=done]")).to_have_count(1)
    expect(student.locator("[data-dropped]")).to_contain_text("ma copie.pdf")
    SHOTS.mkdir(exist_ok=True)
    student.screenshot(path=str(SHOTS / "drive-file-drop.png"), full_page=True)
    violations = axe_violations(student)
    assert not violations, format_violations(student.url, violations)
    anonymous.close()

    sign_in(page.context, server, teacher)
    page.goto(f"/drive/f/{box.public_id}")
    row = page.locator("[data-listing] tbody tr", has_text="ma copie.pdf")
    expect(row).to_contain_text("Léa Petit")
    assert read(actions.live_child(box, "ma copie.pdf")) == b"%PDF-lea"


def test_share_a_folder_with_the_class_and_the_student_sees_it(
    page: Page, browser, server, teacher, student, klass, my_root
):
    folder = actions.create_folder(my_root, "Ressources", by=teacher)
    put(folder, "fiche.pdf", b"%PDF", teacher)
    sign_in(page.context, server, teacher)
    page.goto("/drive/")
    row = page.locator("[data-listing] tbody tr", has_text="Ressources")
    row.locator("summary").click()
    row.locator(f"a[href='/drive/n/{folder.public_id}/share']").click()
    dialog = page.locator("dialog.drive-dialog")
    expect(dialog).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(page.url + " (share dialog)", violations)
    dialog.locator("#share-group").select_option(str(klass.public_id))
    dialog.locator("form:has(#share-group) button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("4e B")

    other = new_context(browser, server)
    sign_in(other, server, student)
    student_page = other.new_page()
    student_page.goto("/drive/")
    student_page.locator("[data-listing] a", has_text="Ressources").click()
    expect(student_page.locator("[data-listing]")).to_contain_text("fiche.pdf")
    other.close()


def test_pages_are_accessible_and_look_right(page: Page, server, teacher, klass, my_root):
    folder = actions.create_folder(my_root, "Séquence 2 — La Révolution", by=teacher)
    actions.create_folder(my_root, "Administratif", by=teacher)
    put(my_root, "Progression annuelle.odt", b"x" * 48_000, teacher)
    put(my_root, "Photo de classe.jpg", b"x" * 2_400_000, teacher)
    put(folder, "notes.txt", "Chapitre 1 : les causes\n- crise financière\n".encode(), teacher)
    text = actions.live_child(folder, "notes.txt")
    gone = put(my_root, "brouillon.txt", b"x", teacher)
    actions.trash(gone, by=teacher)
    sign_in(page.context, server, teacher)
    SHOTS.mkdir(exist_ok=True)
    for name, url in (
        ("home", "/drive/"),
        ("folder", f"/drive/f/{folder.public_id}"),
        ("file", f"/drive/file/{text.public_id}"),
        ("trash", "/drive/trash"),
        ("recent", "/drive/recent"),
        ("search", "/drive/search?q=notes"),
    ):
        page.goto(url)
        violations = axe_violations(page)
        assert not violations, format_violations(url, violations)
        page.screenshot(path=str(SHOTS / f"drive-{name}.png"), full_page=True)
    page.goto("/drive/")
    page.locator("a[data-dialog][href$='/new-folder']").click()
    dialog = page.locator("dialog.drive-dialog")
    expect(dialog.locator("#folder-name")).to_be_focused()
    violations = axe_violations(page)
    assert not violations, format_violations("new folder dialog", violations)
    dialog.locator("#folder-name").fill("Sorties")
    dialog.locator("button[type=submit]").click()
    expect(page.locator("[data-listing]")).to_contain_text("Sorties")
