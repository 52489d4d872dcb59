"""Exporting pads as files and importing files into pads, through the views."""

import base64
import io
import json
import re
import subprocess
import tempfile
import threading
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import etree
from PIL import Image
from pycrdt import Doc

from cartable.core import office as core_office
from cartable.core.roles import Reach
from cartable.pad import actions, document, store
from cartable.pad.actions import authors
from cartable.pad.actions import conversion as pads
from cartable.pad.actions.conversion import attribute, export_html
from cartable.pad.actions.privacy import export_pads
from cartable.pad.convert import OfficeError, export_office, office_available
from cartable.pad.models import PadAuthor, PadImage
from cartable.pad.views import io as pad_io
from cartable.testing.downloads import served

from .test_convert import FULL, cell, doc, heading, item, para, text

pytestmark = pytest.mark.django_db
office = pytest.mark.skipif(not office_available(), reason="LibreOffice is not installed")


def png_bytes(size=(40, 20), colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def pad(teacher):
    pad = actions.create_pad(owner=teacher, title="Sortie au musée", reach=Reach.RESTRICTED)
    author = authors.author_for_user(teacher)
    image = actions.add_image(
        pad, SimpleUploadedFile("plan.png", png_bytes(), "image/png"), author=author
    )
    content = json.loads(
        json.dumps(FULL).replace("/pad/p/sortie/images/0b5e.png", image.get_absolute_url())
    )
    actions.set_content(pad, attribute(content, author.author_id), author_pk=author.pk)
    return pad


def export_url(pad_id, fmt, **query):
    url = reverse("pad:export", args=[pad_id, fmt])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def upload(client, pad_id, name, data, **extra):
    return client.post(
        reverse("pad:import", args=[pad_id]),
        {"file": SimpleUploadedFile(name, data)},
        HTTP_ACCEPT="application/json",
        **extra,
    )


def current(pad):
    doc_, _head = store.load_document(pad.pk)
    return document.to_prosemirror(doc_)


def strip_authors(node):
    if node.get("type") == "text":
        marks = [m for m in node.get("marks") or [] if m["type"] != "author"]
        node = {k: v for k, v in node.items() if k != "marks"}
        return {**node, "marks": marks} if marks else node
    if "content" in node:
        return {**node, "content": [strip_authors(c) for c in node["content"]]}
    return node


# --- export ----------------------------------------------------------------------------


def test_text_markdown_and_html_exports(client, teacher, pad):
    client.force_login(teacher)
    response = client.get(export_url(pad.pad_id, "txt"))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Sortie%20au%20mus%C3%A9e.txt"
    )
    assert response.content.decode().startswith("Sortie au musée\nLundi matin\n")

    response = client.get(export_url(pad.pad_id, "md"))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "- [x] Réserver le car" in response.content.decode()
    assert client.get(export_url(pad.pad_id, "markdown")).content == response.content

    response = client.get(export_url(pad.pad_id, "html"))
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    author = authors.author_for_user(teacher)
    assert "<title>Sortie au musée</title>" in html
    assert f'data-author="{author.author_id}" title="Claire Martin"' in html
    assert f"background-color: {author.colour}" in html
    assert "<table>" in html and '<ul data-type="taskList">' in html


def test_export_html_for_personal_data_has_the_authors(teacher, pad):
    html = export_html(pad)
    assert html.startswith("<!DOCTYPE html>") and "Claire Martin" in html


def test_download_my_data_has_each_pad_as_text_and_html(teacher, pad):
    files = {}
    export_pads(teacher, lambda name, content: files.__setitem__(name, content))
    assert files[f"{pad.pad_id}.txt"] == pad.text
    assert "<h1>" in files[f"{pad.pad_id}.html"]


def test_download_my_data_gives_no_pad_the_person_may_no_longer_open(teacher, student):
    """The "download my data" archive gave the whole, current text of every pad one ever wrote in: a pupil
    who typed in a pad opened by link, or in a class's pad before leaving the class, read what
    its teacher wrote there after the pad was closed to them. It now gives the pads the person
    may still open, as every other way in does."""

    pad = actions.create_pad(owner=teacher, title="Conseil de classe", reach=Reach.LINK)
    actions.set_text(pad, "idée de Léa", author_pk=authors.author_for_user(student).pk)
    still_open = actions.create_pad(owner=teacher, title="Ouvert", reach=Reach.LINK)
    actions.set_text(still_open, "autre idée", author_pk=authors.author_for_user(student).pk)
    pad.reach = Reach.RESTRICTED
    pad.save(update_fields=["reach"])
    actions.set_text(pad, "avis confidentiel", author_pk=authors.author_for_user(teacher).pk)
    files: dict[str, str] = {}
    export_pads(student, lambda name, content: files.__setitem__(name, content))
    assert not any("confidentiel" in content for content in files.values())
    assert files[f"{still_open.pad_id}.txt"] == still_open.text


def test_export_of_an_old_revision_gives_the_old_text(client, teacher):
    pad = actions.create_pad(owner=teacher, title="Brouillon", text="première version")
    first = pad.head
    actions.set_text(pad, "seconde version")
    client.force_login(teacher)
    assert client.get(export_url(pad.pad_id, "txt")).content == b"seconde version\n"
    old = client.get(export_url(pad.pad_id, "txt", rev=first))
    assert old.content == b"premi\xc3\xa8re version\n"
    assert "Brouillon (r1).txt" in old["Content-Disposition"]
    # Etherpad's spelling of the same request.
    assert client.get(f"/pad/p/{pad.pad_id}/{first}/export/txt").content == old.content
    assert client.get(export_url(pad.pad_id, "txt", rev=0)).content == b"\n"
    for wrong in (pad.head + 1, "abc", "-1"):
        assert client.get(export_url(pad.pad_id, "txt", rev=wrong)).status_code == 404


def test_unknown_export_format_is_not_found(client, teacher, pad):
    client.force_login(teacher)
    assert client.get(export_url(pad.pad_id, "exe")).status_code == 404


def test_other_teacher_cannot_export_or_import_a_restricted_pad(client, other_teacher, pad):
    client.force_login(other_teacher)
    assert client.get(export_url(pad.pad_id, "txt")).status_code == 404
    assert upload(client, pad.pad_id, "a.txt", b"pirate").status_code == 404
    assert "pirate" not in pad.text


def test_read_only_link_exports_but_does_not_import(client, pad):
    response = client.get(export_url(pad.readonly_id, "txt"))
    assert response.status_code == 200 and b"Sortie au mus" in response.content
    assert upload(client, pad.readonly_id, "a.txt", b"pirate").status_code == 403
    pad.refresh_from_db()
    assert "pirate" not in pad.text


def test_office_export_without_libreoffice_says_so(client, teacher, pad, monkeypatch):
    monkeypatch.setattr(pad_io, "office_available", lambda: False)
    client.force_login(teacher)
    response = client.get(export_url(pad.pad_id, "docx"))
    assert response.status_code == 503
    assert "pas disponibles sur ce serveur" in response.content.decode()
    page = client.get(pad.get_absolute_url()).content.decode()
    assert "/export/txt" in page and "/export/docx" not in page
    response = upload(client, pad.pad_id, "a.docx", b"PK\x03\x04")
    assert response.status_code == 503 and "pas disponibles" in response.json()["error"]


# --- import ----------------------------------------------------------------------------


def test_import_replaces_the_text_as_one_revision_and_keeps_history(
    client, teacher, pad, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(store, "publish", lambda pk, update: published.append((pk, update)))
    before = pad.head
    old_text = pad.text
    client.force_login(teacher)
    md = "# Nouveau plan\n\n- **un**\n- deux\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, pad.pad_id, "plan.md", md.encode())
    assert response.json() == {"ok": True, "rev": before + 1}
    pad.refresh_from_db()
    assert pad.head == before + 1
    assert pad.text == "Nouveau plan\nun\ndeux\na\tb\n1\t2\n"
    # The previous text is still there, one revision back.
    old_doc, _rev = store.load_document(pad.pk, upto=before)
    assert document.to_text(old_doc) == old_text
    # Open editors get the change as a Yjs update.
    assert len(published) == 1 and published[0][0] == pad.pk
    assert current(pad)["content"][0] == {
        "type": "heading",
        "attrs": {"level": 1},
        "content": [
            {
                "type": "text",
                "text": "Nouveau plan",
                "marks": [
                    {"type": "author", "attrs": {"id": authors.author_for_user(teacher).author_id}}
                ],
            }
        ],
    }
    editor = Doc()
    editor.apply_update(old_doc.get_update())
    editor.apply_update(published[0][1])
    assert document.to_text(editor) == pad.text


def test_accented_text_keeps_its_marks_in_the_document(teacher):
    pad = actions.create_pad(owner=teacher)
    content = doc(para(text("Élèves : "), text("présents", "bold"), text(" à 9 h")))
    actions.set_content(pad, content)
    assert current(pad) == content


def test_import_html_is_sanitised(client, teacher, pad):
    client.force_login(teacher)
    html = (
        "<html><body><h2>Titre</h2><script>alert(1)</script>"
        '<p onclick="x()">Un <a href="javascript:alert(1)">piège</a> et '
        '<a href="https://example.org">un lien</a></p></body></html>'
    )
    assert upload(client, pad.pad_id, "page.HTM", html.encode()).status_code == 200
    content = strip_authors(current(pad))
    assert content == doc(
        heading(2, text("Titre")),
        para(
            text("Un piège et "),
            text("un lien", {"type": "link", "attrs": {"href": "https://example.org"}}),
        ),
    )


def test_import_keeps_embedded_images_as_pad_images(client, teacher, pad):
    def uri(data, kind="png"):
        return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"

    html = (
        f'<p>Carte</p><img src="{uri(png_bytes())}" alt="carte">'
        f'<img src="{uri(b"not a png")}"><img src="{uri(b"<svg/>", "svg+xml")}">'
        '<img src="https://example.org/photo.jpg" alt="web">'
    )
    before = PadImage.objects.filter(pad=pad).count()
    client.force_login(teacher)
    assert upload(client, pad.pad_id, "carte.html", html.encode()).status_code == 200
    image = PadImage.objects.filter(pad=pad).order_by("-created_at", "-pk").first()
    assert PadImage.objects.filter(pad=pad).count() == before + 1
    assert image.uploaded_by == authors.author_for_user(teacher)
    assert strip_authors(current(pad)) == doc(
        para(text("Carte")),
        {"type": "image", "attrs": {"src": image.get_absolute_url(), "alt": "carte"}},
        {"type": "image", "attrs": {"src": "https://example.org/photo.jpg", "alt": "web"}},
    )


def test_import_text_in_any_usual_encoding(client, teacher, pad):
    client.force_login(teacher)
    upload(client, pad.pad_id, "notes.txt", "Élève\r\nsecond\r\n".encode("cp1252"))
    pad.refresh_from_db()
    assert pad.text == "Élève\nsecond\n"
    upload(client, pad.pad_id, "notes.txt", "\ufeffÉlève".encode())
    pad.refresh_from_db()
    assert pad.text == "Élève\n"


def test_import_refuses_with_clear_messages(client, teacher, pad, monkeypatch):
    client.force_login(teacher)
    head = pad.head
    missing = client.post(reverse("pad:import", args=[pad.pad_id]), HTTP_ACCEPT="application/json")
    assert missing.status_code == 400 and missing.json() == {
        "error": "Choisissez un fichier à importer."
    }
    wrong = upload(client, pad.pad_id, "virus.exe", b"MZ")
    assert wrong.status_code == 400
    assert wrong.json()["error"].startswith(
        "Ce type de fichier ne peut pas être importé. Formats acceptés : .txt"
    )
    fake = upload(client, pad.pad_id, "faux.docx", b"not a zip")
    assert fake.status_code == 400 and "pas un document docx valide" in fake.json()["error"]
    monkeypatch.setattr(pad_io, "MAX_IMPORT_SIZE", 10)
    monkeypatch.setattr(pads, "MAX_IMPORT_SIZE", 10)
    big = upload(client, pad.pad_id, "gros.txt", b"x" * 100)
    assert big.status_code == 413 and "trop volumineux" in big.json()["error"]
    pad.refresh_from_db()
    assert pad.head == head


def test_a_document_too_complex_to_parse_is_refused_and_the_pad_unchanged(client, teacher, pad):
    """Past the parser's bounds (500 000 elements), in its child process: a clean 400."""
    client.force_login(teacher)
    head = pad.head
    response = upload(client, pad.pad_id, "page.html", b"<b>x</b>" * 600_000)
    assert response.status_code == 400
    assert "trop complexe" in response.json()["error"]
    pad.refresh_from_db()
    assert pad.head == head


def test_import_form_returns_to_the_pad_with_a_message(client, teacher, pad):
    client.force_login(teacher)
    response = client.post(
        reverse("pad:import", args=[pad.pad_id]),
        {"file": SimpleUploadedFile("a.txt", b"bonjour")},
        follow=True,
    )
    assert response.redirect_chain == [(pad.get_absolute_url(), 302)]
    assert "Le texte précédent reste dans l&#x27;historique" in response.content.decode()
    error = client.post(
        reverse("pad:import", args=[pad.pad_id]), {"file": SimpleUploadedFile("a.exe", b"x")}
    )
    assert error.status_code == 400 and "ne peut pas être importé" in error.content.decode()


def test_guest_with_the_edit_link_imports_under_their_name(client, teacher):
    pad = actions.create_pad(owner=teacher, reach=Reach.LINK)
    client.post(pad.get_absolute_url(), {"name": "Maman de Léa"})
    assert upload(client, pad.pad_id, "a.txt", b"Bonjour").status_code == 200
    marks = current(pad)["content"][0]["content"][0]["marks"]
    author_id = marks[0]["attrs"]["id"]

    assert PadAuthor.objects.get(author_id=author_id).name == "Maman de Léa"


def test_pad_page_offers_export_and_import_to_editors_only(client, teacher, pad):
    client.force_login(teacher)
    page = client.get(pad.get_absolute_url()).content.decode()
    assert f'href="/pad/p/{pad.pad_id}/export/pdf"' in page or not office_available()
    assert f'action="/pad/p/{pad.pad_id}/import"' in page
    client.logout()
    page = client.get(pad.get_readonly_url()).content.decode()
    assert f'href="/pad/p/{pad.readonly_id}/export/txt"' in page
    assert "/import" not in page


# --- office formats, read back ------------------------------------------------------------


@office
def test_docx_export_opens_as_word_reads_it(client, teacher, pad):
    client.force_login(teacher)
    response = client.get(export_url(pad.pad_id, "docx"))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"].endswith(".docx")
    document_ = docx.Document(io.BytesIO(response.content))
    paragraphs = [(p.style.name, p.text) for p in document_.paragraphs]
    assert ("Heading 1", "Sortie au musée") in paragraphs
    assert ("Heading 3", "Lundi matin") in paragraphs
    body = document_.paragraphs[2]
    bold = [
        r.text for r in body.runs if r.bold or (r.style is not None and r.style.name == "Strong")
    ]
    assert "gras" in bold
    listed = {
        p.text for p in document_.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None
    }
    assert {"Autorisations", "signées", "rendues", "Pique-nique", "trois"} <= listed
    assert [c.text for c in document_.tables[0].rows[0].cells] == ["Élève", "Note"]
    assert document_.tables[0].rows[1].cells[1].text == "18"
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        rels = package.read("word/_rels/document.xml.rels").decode()
        media = [n for n in package.namelist() if n.startswith("word/media/")]
    # The pad's image is inside the file; nothing points outside it but the text's link.
    assert len(media) == 1
    external = re.findall(r'Target="([^"]*)" TargetMode="External"', rels)
    assert external == ["https://example.org/a?b=1&amp;c=2"]


@office
def test_odt_export_has_headings_lists_and_tables(client, teacher, pad):
    client.force_login(teacher)
    response = client.get(export_url(pad.pad_id, "odt"))
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        assert package.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = package.read("content.xml").decode()
        assert [n for n in package.namelist() if n.startswith("Pictures/")]

    root = etree.fromstring(content.encode())
    ns = {
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    }

    def texts(xpath):
        return ["".join(e.itertext()) for e in root.xpath(xpath, namespaces=ns)]

    assert "Sortie au musée" in texts("//text:h[@text:outline-level='1']")
    assert {"Autorisations", "Pique-nique"} <= set(texts("//text:list/text:list-item/text:p"))
    assert "signées" in texts("//text:list-item//text:list//text:p")
    # The header row is inside <table:table-header-rows>, repeated on every page.
    rows = root.xpath("//table:table//table:table-row", namespaces=ns)
    assert [
        ["".join(c.itertext()) for c in row.xpath("table:table-cell", namespaces=ns)]
        for row in rows
    ][:2] == [["Élève", "Note"], ["Léa", "18"]]


@office
def test_pdf_export_holds_the_text(client, teacher, pad, tmp_path):
    client.force_login(teacher)
    response = client.get(export_url(pad.pad_id, "pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path = tmp_path / "pad.pdf"
    path.write_bytes(response.content)
    extracted = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("Sortie au musée", "Autorisations", "Réserver le car", "Élève", "Fin."):
        assert expected in extracted
    assert re.search(r"Léa\s+18", extracted)


@office
def test_import_a_docx_made_by_word_tools(client, teacher, pad):
    made = docx.Document()
    made.add_heading("Conseil de classe", level=1)
    para_ = made.add_paragraph("Présents : ")
    para_.add_run("tous").bold = True
    para_.add_run(" sauf ")
    para_.add_run("un").italic = True
    made.add_paragraph("Premier point", style="List Bullet")
    made.add_paragraph("Second point", style="List Bullet")
    made.add_paragraph("Étape une", style="List Number")
    table = made.add_table(rows=2, cols=2)
    for r, row in enumerate([["Nom", "Avis"], ["Léa", "Félicitations"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    made.add_picture(io.BytesIO(png_bytes((60, 30), (10, 120, 200))))
    made.add_paragraph("Fin du compte rendu.")
    buffer = io.BytesIO()
    made.save(buffer)
    before = set(PadImage.objects.filter(pad=pad).values_list("pk", flat=True))

    client.force_login(teacher)
    response = upload(client, pad.pad_id, "conseil.docx", buffer.getvalue())
    assert response.status_code == 200, response.content
    content = strip_authors(current(pad))["content"]
    assert content[0] == heading(1, text("Conseil de classe"))
    assert content[1] == para(
        text("Présents : "), text("tous", "bold"), text(" sauf "), text("un", "italic")
    )
    lists = [b for b in content if b["type"] in ("bulletList", "orderedList")]
    assert [b["type"] for b in lists] == ["bulletList", "orderedList"]
    assert lists[0]["content"] == [
        item(para(text("Premier point"))),
        item(para(text("Second point"))),
    ]
    tables = [b for b in content if b["type"] == "table"]
    assert [
        [strip_authors(c)["content"] for c in row["content"]] for row in tables[0]["content"]
    ] == [
        [[para(text("Nom"))], [para(text("Avis"))]],
        [[para(text("Léa"))], [para(text("Félicitations"))]],
    ]
    assert content[-1] == para(text("Fin du compte rendu."))
    # The picture became one of the pad's images, served at the pad's image address.
    (image,) = PadImage.objects.filter(pad=pad).exclude(pk__in=before)
    assert [b for b in content if b["type"] == "image"] == [
        {"type": "image", "attrs": {"src": image.get_absolute_url()}}
    ]
    client.logout()
    body, headers = served(client.get(image.get_absolute_url()))  # from S3 when scaled out
    assert headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG")


ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
 xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3">
<office:automatic-styles>
 <style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="T2" style:family="text"><style:text-properties style:text-underline-style="solid"/></style:style>
</office:automatic-styles>
<office:body><office:text>
 <text:h text:outline-level="2">Projet de sortie</text:h>
 <text:p>Un texte <text:span text:style-name="T1">important</text:span> et <text:span text:style-name="T2">souligné</text:span>.</text:p>
 <text:list>
  <text:list-item><text:p>Musée</text:p>
   <text:list><text:list-item><text:p>Billets</text:p></text:list-item></text:list>
  </text:list-item>
  <text:list-item><text:p>Parc</text:p></text:list-item>
 </text:list>
 <table:table table:name="Budget">
  <table:table-column table:number-columns-repeated="2"/>
  <table:table-row><table:table-cell office:value-type="string"><text:p>Poste</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Montant</text:p></table:table-cell></table:table-row>
  <table:table-row><table:table-cell office:value-type="string"><text:p>Car</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>300 €</text:p></table:table-cell></table:table-row>
 </table:table>
</office:text></office:body></office:document-content>
"""

ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


@office
def test_import_an_odt_written_by_hand(client, teacher, pad):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        package.writestr("META-INF/manifest.xml", ODT_MANIFEST)
        package.writestr("content.xml", ODT_CONTENT)
    client.force_login(teacher)
    assert upload(client, pad.pad_id, "sortie.odt", buffer.getvalue()).status_code == 200
    content = strip_authors(current(pad))["content"]
    assert content[0] == heading(2, text("Projet de sortie"))
    assert content[1] == para(
        text("Un texte "), text("important", "bold"), text(" et "), text("souligné", "underline"),
        text("."),
    )  # fmt: skip
    assert content[2] == {
        "type": "bulletList",
        "content": [
            item(
                para(text("Musée")),
                {"type": "bulletList", "content": [item(para(text("Billets")))]},
            ),
            item(para(text("Parc"))),
        ],
    }
    assert content[3]["type"] == "table"
    assert [[c["content"] for c in row["content"]] for row in content[3]["content"]] == [
        [cell(para(text("Poste")))["content"], cell(para(text("Montant")))["content"]],
        [[para(text("Car"))], [para(text("300 €"))]],
    ]


@office
def test_a_conversion_that_takes_too_long_is_stopped(monkeypatch, tmp_path):
    monkeypatch.setattr(core_office, "TIMEOUT", 0.3)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(OfficeError, match="trop de temps|too long"):
        export_office(doc(para(text("x"))), "pdf")
    # Nothing of LibreOffice is left running in the conversion's folder.
    survivors = subprocess.run(
        ["pgrep", "-f", str(tmp_path)], capture_output=True, text=True, check=False
    ).stdout
    assert survivors == ""


def test_conversions_wait_their_turn_then_give_up(monkeypatch):
    monkeypatch.setattr(core_office, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(core_office, "TIMEOUT", 0.05)
    monkeypatch.setattr(core_office, "_slots", threading.BoundedSemaphore(1))
    core_office._slots.acquire()
    with pytest.raises(OfficeError, match="occupé|busy"):
        export_office(doc(para(text("x"))), "pdf")
