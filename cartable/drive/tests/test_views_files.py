"""Downloads (ranges, zips), the viewer's inline bytes, versions."""

import io
import zipfile

import pytest
import requests

from cartable.accounts.models import Membership
from cartable.drive import actions
from cartable.drive.actions import filedrop
from cartable.drive.tests.conftest import put
from cartable.testing.downloads import downloaded, served
from cartable.testing.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The messages these tests look for are the English ones."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def body(response) -> bytes:
    """What the browser gets: scaled out, downloads are redirects to S3, followed here."""
    if response.status_code == 302:
        return downloaded(response)
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_download_with_range(client, teacher, my_root):
    node = put(my_root, "alpha.txt", b"abcdefghij", teacher)
    client.force_login(teacher)
    content, headers = served(client.get(f"/drive/file/{node.public_id}/download"))
    assert content == b"abcdefghij"
    assert "attachment" in headers["Content-Disposition"]
    ranged = client.get(f"/drive/file/{node.public_id}/download", HTTP_RANGE="bytes=2-4")
    if ranged.status_code == 302:  # scaled out: S3 serves the range itself
        ranged = requests.get(ranged["Location"], headers={"Range": "bytes=2-4"}, timeout=10)
        assert ranged.status_code == 206 and ranged.content == b"cde"
    else:
        assert ranged.status_code == 206 and body(ranged) == b"cde"


def test_raw_is_inline_only_for_safe_types_and_sandboxed(client, teacher, my_root):
    html = put(my_root, "page.html", b"<script>alert(1)</script>", teacher)
    svg = put(my_root, "i.svg", b"<svg><script>alert(1)</script></svg>", teacher)
    pdf = put(my_root, "doc.pdf", b"%PDF-1.4", teacher)
    text = put(my_root, "notes.md", b"# titre", teacher)
    client.force_login(teacher)

    def raw(node):
        response = client.get(f"/drive/file/{node.public_id}/raw")
        # Scaled out, S3 serves the bytes (from its own origin) with the type and
        # disposition the signed address asks for; the headers below are Cartable's own.
        return response, served(response)[1]

    response, headers = raw(html)
    assert headers["Content-Type"].startswith("text/plain")  # its source, never run
    assert "sandbox" in response["Content-Security-Policy"]
    response, headers = raw(svg)
    assert headers["Content-Disposition"].startswith("attachment")
    response, headers = raw(pdf)
    assert headers["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    response, headers = raw(text)
    assert headers["Content-Type"].startswith("text/plain")
    assert "sandbox" in response["Content-Security-Policy"]


def test_file_page_shows_text_escaped(client, teacher, my_root):
    node = put(my_root, "x.txt", b"<b>bold</b>", teacher)
    client.force_login(teacher)
    page = client.get(f"/drive/file/{node.public_id}").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_file_page_kinds(client, teacher, my_root):
    client.force_login(teacher)
    for name, tag in (
        ("a.png", "<img"),
        ("b.pdf", "<iframe"),
        ("c.mp3", "<audio"),
        ("d.mp4", "<video"),
    ):
        node = put(my_root, name, b"x", teacher)
        assert tag in client.get(f"/drive/file/{node.public_id}").content.decode()


def test_versions_list_download_restore(client, teacher, my_root):
    node = put(my_root, "v.txt", b"one", teacher)
    put(my_root, "v.txt", b"two", teacher)
    version = node.versions.get()
    client.force_login(teacher)
    page = client.get(f"/drive/file/{node.public_id}").content.decode()
    assert f"/versions/{version.pk}" in page
    old = client.get(f"/drive/file/{node.public_id}/versions/{version.pk}")
    assert body(old) == b"one"
    client.post(f"/drive/file/{node.public_id}/versions/{version.pk}/restore")
    node.refresh_from_db()
    with actions.open_blob(node.blob) as fh:
        assert fh.read() == b"one"


def test_student_cannot_restore_a_version_in_the_class_folder(client, teacher, student, class_root):
    node = put(class_root, "v.txt", b"one", teacher)
    put(class_root, "v.txt", b"two", teacher)
    version = node.versions.get()
    client.force_login(student)
    assert body(client.get(f"/drive/file/{node.public_id}/versions/{version.pk}")) == b"one"
    assert (
        client.post(f"/drive/file/{node.public_id}/versions/{version.pk}/restore").status_code
        == 403
    )


def test_folder_zip_streams_the_tree(client, teacher, my_root):
    folder = actions.create_folder(my_root, "Cours", by=teacher)
    sub = actions.create_folder(folder, "Chapitre 1 é", by=teacher)
    put(folder, "plan.txt", b"plan", teacher)
    put(sub, "exos.txt", b"exos" * 1000, teacher)
    client.force_login(teacher)
    response = client.get(f"/drive/f/{folder.public_id}/zip")
    assert response.streaming
    data = body(response)
    assert int(response["Content-Length"]) == len(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.read("Cours/plan.txt") == b"plan"
    assert archive.read("Cours/Chapitre 1 é/exos.txt") == b"exos" * 1000
    assert archive.testzip() is None


def test_selection_zip(client, teacher, my_root):
    a = put(my_root, "a.txt", b"A", teacher)
    b = put(my_root, "b.txt", b"B", teacher)
    client.force_login(teacher)
    data = body(client.get(f"/drive/zip?n={a.public_id}&n={b.public_id}"))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == ["a.txt", "b.txt"]


def test_zip_of_homework_box_for_student_has_only_their_files(
    client, teacher, student, klass, class_root
):

    box = actions.create_folder(class_root, "Rendus", by=teacher)
    filedrop.set_file_drop(box, True, by=teacher)
    other = StudentFactory(username="tom")
    Membership.objects.create(group=klass, user=other, role=Membership.Role.MEMBER)
    put(box, "tom.txt", b"t", other)
    put(box, "lea.txt", b"l", student)
    client.force_login(student)
    data = body(client.get(f"/drive/f/{class_root.public_id}/zip"))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "4e B/Rendus/lea.txt" in names and "4e B/Rendus/tom.txt" not in names
    client.force_login(teacher)
    data = body(client.get(f"/drive/f/{box.public_id}/zip"))
    assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == [
        "Rendus/",
        "Rendus/lea.txt",
        "Rendus/tom.txt",
    ]


def test_other_teacher_cannot_zip_my_folder(client, teacher, other_teacher, my_root):
    folder = actions.create_folder(my_root, "Cours", by=teacher)
    client.force_login(other_teacher)
    assert client.get(f"/drive/f/{folder.public_id}/zip").status_code == 404
    assert client.get(f"/drive/zip?n={folder.public_id}").status_code == 404


@pytest.mark.parametrize("class_name", ["../../../.config/autostart", "..", "a\\..\\..\\b"])
def test_a_class_name_never_leads_a_zip_out_of_its_folder(
    client, teacher, student, klass, class_root, class_name
):
    """The zip of a class's folder is named after the class, which its teacher names freely:
    "../../x" made every entry of a pupil's download "../../x/…", which some unzip tools write
    outside the folder they extract into (a "zip slip")."""
    klass.name = class_name
    klass.save()
    put(class_root, "cours.txt", b"cours", teacher)
    client.force_login(student)
    data = body(client.get(f"/drive/f/{class_root.public_id}/zip"))
    for name in zipfile.ZipFile(io.BytesIO(data)).namelist():
        parts = name.replace("\\", "/").split("/")
        assert ".." not in parts and not name.startswith("/"), name
    assert any(n.endswith("/cours.txt") for n in zipfile.ZipFile(io.BytesIO(data)).namelist())


def test_a_selection_naming_a_folder_many_times_zips_it_once(client, teacher, my_root):
    """``/drive/zip?n=…`` takes up to 1 000 ids: the same big folder named 1 000 times was read,
    sifted and archived 1 000 times in one request (a pupil's way to hold the server)."""
    folder = actions.create_folder(my_root, "Cours", by=teacher)
    put(folder, "plan.txt", b"plan", teacher)
    client.force_login(teacher)
    data = body(client.get("/drive/zip?" + "&".join([f"n={folder.public_id}"] * 50)))
    assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == ["Cours/", "Cours/plan.txt"]
