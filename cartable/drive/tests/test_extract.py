"""Text of documents for search: real files made in the tests, read back."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from cartable.drive import extract
from cartable.drive.extract import DOCX, PPTX, XLSX, extract_text, extractable
from cartable.testing.blobs import make_blob
from cartable.testing.documents import minimal_odt, minimal_pdf

pytestmark = pytest.mark.django_db


def test_plain_text_is_read_as_it_is():
    blob = make_blob("Résumé du cours : la photosynthèse 🌱\n\n\n\nFin.\n".encode())
    assert extract_text(blob, "text/plain") == "Résumé du cours : la photosynthèse 🌱\n\nFin."


def test_markdown_with_charset_and_a_bom():
    blob = make_blob(b"\xef\xbb\xbf# Titre\n\n- un\n- deux\n")
    assert extract_text(blob, "text/markdown; charset=utf-8") == "# Titre\n\n- un\n- deux"


def test_windows_1252_text_is_decoded():
    blob = make_blob("Élève, café".encode("cp1252"))
    assert extract_text(blob, "text/plain") == "Élève, café"


def test_text_is_capped_even_inside_a_character():
    blob = make_blob("é".encode() * 1000)
    assert extract_text(blob, "text/plain", limit=10) == "é" * 10


def test_html_gives_its_text_without_scripts():
    blob = make_blob(
        b"<html><head><style>p{}</style><script>alert(1)</script></head>"
        b"<body><h1>Sortie</h1><p>Au mus\xc3\xa9e</p></body></html>"
    )
    text = extract_text(blob, "text/html")
    assert "Sortie" in text and "Au musée" in text
    assert "alert" not in text and "p{}" not in text


def test_pdf_text_through_pdftotext():
    blob = make_blob(minimal_pdf(["Conseil de classe", "Trimestre (2)"], pages=2))
    text = extract_text(blob, "application/pdf")
    assert "Conseil de classe" in text
    assert "Trimestre (2)" in text
    assert "Page 2" in text


def test_pdf_text_is_capped():
    blob = make_blob(minimal_pdf(["A" * 40] * 20))
    assert len(extract_text(blob, "application/pdf", limit=50)) == 50


def test_docx_paragraphs_and_tables():
    document = docx.Document()
    document.add_heading("Sortie au musée", level=1)
    paragraph = document.add_paragraph("Rendez-vous à ")
    paragraph.add_run("8 h 30").bold = True
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Prix"
    table.rows[0].cells[1].text = "5 €"
    out = io.BytesIO()
    document.save(out)
    text = extract_text(make_blob(out.getvalue()), DOCX)
    assert "Sortie au musée" in text
    assert "Rendez-vous à 8 h 30" in text
    assert "Prix" in text and "5 €" in text


def test_odt_headings_and_paragraphs():
    blob = make_blob(minimal_odt(["Compte rendu", "Présents : tous", "Décisions à venir"]))
    text = extract_text(blob, "application/vnd.oasis.opendocument.text")
    assert text == "Compte rendu\nPrésents : tous\nDécisions à venir"


def _zip(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_pptx_slides_in_order():
    ns = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    slide = '<p:sld xmlns:p="x" {ns}><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:sld>'
    blob = make_blob(
        _zip(
            {
                "ppt/slides/slide10.xml": slide.format(ns=ns, text="Dixième"),
                "ppt/slides/slide2.xml": slide.format(ns=ns, text="Deuxième"),
                "ppt/slides/slide1.xml": slide.format(ns=ns, text="Première"),
            }
        )
    )
    assert extract_text(blob, PPTX) == "Première\nDeuxième\nDixième"


def test_xlsx_shared_strings():
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>Nom</t></si><si><r><t>Note </t></r><r><t>finale</t></r></si></sst>"
    )
    blob = make_blob(_zip({"xl/sharedStrings.xml": strings}))
    assert extract_text(blob, XLSX) == "Nom\nNote finale"


def test_a_zip_bomb_gives_no_text(monkeypatch):
    monkeypatch.setattr(extract, "XML_MAX_INFLATED", 1000)
    body = "<text:p>" + "a" * 5000 + "</text:p>"
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    blob = make_blob(_zip({"content.xml": content}))
    assert extract_text(blob, "application/vnd.oasis.opendocument.text") == ""


def test_xml_entities_are_not_expanded():
    content = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        "<office:body><office:text><text:p>a&x;b</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    blob = make_blob(_zip({"content.xml": content}))
    assert "root:" not in extract_text(blob, "application/vnd.oasis.opendocument.text")


def test_broken_and_unknown_files_give_no_text():
    assert extract_text(make_blob(b"not a zip"), DOCX) == ""
    assert extract_text(make_blob(b"not a pdf"), "application/pdf") == ""
    assert extract_text(make_blob(b"\x89PNG..."), "image/png") == ""
    assert not extractable("image/png")
    assert extractable("text/csv") and extractable(DOCX)


@pytest.mark.timeout(60)
def test_a_file_of_spaces_is_read_in_linear_time():
    """Trailing blanks were stripped by a regular expression that took quadratic time: 400 KB
    of spaces held the interpreter (and so the whole server) for minutes."""
    blob = make_blob(b" " * 300_000 + b"x\n" + b" \t" * 20_000 + b"\n\n\n\ny")
    assert extract_text(blob, "text/plain") == "x\n\ny"


def _odt_paragraph(inner: str) -> bytes:
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:text><text:p>{inner}</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    return _zip({"content.xml": content})


@pytest.mark.timeout(60)
def test_a_huge_space_count_is_bounded():
    blob = make_blob(_odt_paragraph('a<text:s text:c="2000000000"/>b' * 1000))
    text = extract_text(blob, "application/vnd.oasis.opendocument.text", limit=5000)
    assert text.startswith("a ") and len(text) <= 5000


def test_a_space_count_that_is_not_a_number_counts_one():
    blob = make_blob(_odt_paragraph('a<text:s text:c="beaucoup"/>b<text:s text:c="3"/>c'))
    assert extract_text(blob, "application/vnd.oasis.opendocument.text") == "a b   c"


@pytest.mark.timeout(60)
def test_a_paragraph_of_many_runs_is_cut_at_the_limit():
    runs = "<w:r><w:t>mot </w:t></w:r>" * 200_000
    document = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p>{runs}</w:p></w:body></w:document>"
    )
    text = extract_text(make_blob(_zip({"word/document.xml": document})), DOCX, limit=1000)
    assert text.startswith("mot mot") and len(text) <= 1000
