"""Two people write in one pad, each in their own Chromium, through a real Cartable server."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import docx
import pytest
from PIL import Image
from playwright.sync_api import expect

from cartable.pad import protocol

from .conftest import sign_in

pytestmark = pytest.mark.browser

# Screenshots for people to look at; CARTABLE_SHOTS_DIR moves them.
SHOTS = Path(os.environ.get("CARTABLE_SHOTS_DIR", "/tmp/pad-shots"))  # noqa: S108
CLAIRE = "claire.martin@ac-lyon.fr"
AHMED = "ahmed.benali@ac-lyon.fr"


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _open_pad(browser, server, ids, email, **context_options):
    context_options.setdefault("locale", "fr-FR")
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    sign_in(page, server, email)
    page.goto(f"{server.url}/pad/p/{ids['pad_id']}")
    page.wait_for_selector(".pad-text[contenteditable=true]")
    return context, page, errors


def _author_of(page) -> tuple[str, str]:
    pad = page.locator("#pad")
    return pad.get_attribute("data-author-id"), pad.get_attribute("data-author-colour")


def test_two_writers_see_each_other_with_their_colours(pad_server, chromium):
    server, ids = pad_server
    SHOTS.mkdir(exist_ok=True)
    context_a, a, errors_a = _open_pad(chromium, server, ids, CLAIRE)
    context_b, b, errors_b = _open_pad(chromium, server, ids, AHMED)
    id_a, colour_a = _author_of(a)
    id_b, colour_b = _author_of(b)
    assert id_a != id_b

    a.click(".pad-text")
    a.keyboard.type("Bonjour de A")
    expect(b.locator(".pad-text")).to_contain_text("Bonjour de A")
    b.click(".pad-text")
    b.keyboard.press("Control+End")
    b.keyboard.press("Enter")
    b.keyboard.type("Réponse de B")
    expect(a.locator(".pad-text")).to_contain_text("Réponse de B")

    for page in (a, b):
        span_a = page.locator(f'.pad-text span.author[data-author="{id_a}"]')
        span_b = page.locator(f'.pad-text span.author[data-author="{id_b}"]')
        assert "".join(span_a.all_inner_texts()) == "Bonjour de A"
        assert "".join(span_b.all_inner_texts()) == "Réponse de B"
        for span, colour in ((span_a, colour_a), (span_b, colour_b)):
            assert span.first.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(colour)
        # Saved means the server made every update of this page durable.
        page.wait_for_selector("[data-pad-status][data-state=saved]")
        assert page.locator("[data-pad-status]").inner_text() == "Enregistré"
        names = page.locator("[data-pad-authors]").inner_text()
        assert "Claire Martin" in names and "Ahmed Benali" in names

    # Each sees the other's cursor, labelled with their name.
    a.wait_for_selector(".collaboration-carets__label:has-text('Ahmed Benali')")

    a.screenshot(path=str(SHOTS / "pad-writer-a.png"), full_page=True)
    b.screenshot(path=str(SHOTS / "pad-writer-b.png"), full_page=True)

    # Colours are each reader's choice, and the text keeps its authors when they are hidden.
    b.get_by_role("switch").uncheck()
    span = b.locator(f'.pad-text span.author[data-author="{id_a}"]').first
    assert span.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    b.reload()
    b.wait_for_selector(".pad-text[contenteditable=true]")
    assert not b.get_by_role("switch").is_checked()
    b.get_by_role("switch").check()

    # Undo is per person: A's undo takes back A's text only.
    a.click(".pad-text")
    a.keyboard.press("Control+End")
    a.keyboard.type(" encore")
    expect(b.locator(".pad-text")).to_contain_text("encore")
    a.get_by_role("button", name="Annuler").click()
    expect(b.locator(".pad-text")).not_to_contain_text("encore")
    assert "Réponse de B" in a.locator(".pad-text").inner_text()

    # A downloads the pad as Word; the file holds both writers' text.
    from cartable.pad.convert import office_available

    if office_available():
        with a.expect_download() as download_info:
            a.get_by_role("link", name="Word (.docx)").click()
        document = docx.Document(download_info.value.path())
        text = "\n".join(p.text for p in document.paragraphs)
        assert "Bonjour de A" in text and "Réponse de B" in text

    assert not [e for e in errors_a + errors_b if "Content Security Policy" in e]
    assert not [e for e in errors_a + errors_b if "Error" in e and "WebSocket" not in e]
    context_a.close()
    context_b.close()


def test_tables_images_and_a_reader(pad_server, chromium):
    server, ids = pad_server
    context, page, errors = _open_pad(chromium, server, ids, CLAIRE)
    page.click(".pad-text")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    # Shortcuts are named in the page's language (Maj is French for Shift).
    strike = page.get_by_role("button", name="Barré")
    expect(strike).to_have_attribute("title", "Barré (Ctrl+Maj+s)")
    page.get_by_role("button", name="Insérer un tableau").click()
    page.wait_for_selector(".pad-text table")
    page.keyboard.type("Séance")
    page.get_by_role("button", name="Ajouter une ligne").click()
    assert page.locator(".pad-text table tr").count() == 4
    page.locator(".pad-text > p").last.click()

    # An image, as if pasted from the clipboard: uploaded, then placed by its address.
    picture = io.BytesIO()
    Image.new("RGB", (240, 120), (37, 99, 235)).save(picture, "PNG")
    png = picture.getvalue()
    page.evaluate(
        """bytes => {
            const file = new File([new Uint8Array(bytes)], "point.png", {type: "image/png"});
            const data = new DataTransfer();
            data.items.add(file);
            const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true});
            document.querySelector(".pad-text").dispatchEvent(event);
        }""",
        list(png),
    )
    image = page.wait_for_selector(".pad-text img")
    src = image.get_attribute("src")
    assert re.fullmatch(rf"/pad/p/{ids['readonly_id']}/images/[0-9a-f-]{{36}}\.png", src)
    assert image.evaluate("img => img.complete && img.naturalWidth") == 240
    page.wait_for_selector("[data-pad-status][data-state=saved]")

    # A reader by the read-only link: no toolbar, not editable, live changes still arrive.
    reader_context = chromium.new_context(locale="fr-FR")
    reader = reader_context.new_page()
    reader.goto(f"{server.url}/pad/p/{ids['readonly_id']}")
    reader.wait_for_selector(".pad-text[contenteditable=false] table")
    assert reader.locator(".pad-toolbar").count() == 0
    assert ids["pad_id"] not in reader.content()
    page.keyboard.press("Control+End")
    page.keyboard.type("Texte en direct")
    expect(reader.locator(".pad-text")).to_contain_text("Texte en direct")
    assert reader.locator("[data-pad-status]").inner_text() == "Lecture seule"
    page.screenshot(path=str(SHOTS / "pad-table-image.png"), full_page=True)
    reader.screenshot(path=str(SHOTS / "pad-reader.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]
    reader_context.close()
    context.close()


def test_phone_layout(pad_server, chromium):
    server, ids = pad_server
    context, page, _errors = _open_pad(
        chromium,
        server,
        ids,
        AHMED,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    toolbar = page.locator(".pad-toolbar")
    # One row that scrolls sideways, never wider than the screen.
    box = toolbar.bounding_box()
    assert box["width"] <= 390 and box["height"] < 70
    assert toolbar.evaluate("e => e.scrollWidth > e.clientWidth")
    page.screenshot(path=str(SHOTS / "pad-phone.png"), full_page=False)
    context.close()


def test_chat_and_history(pad_server, chromium):
    server, ids = pad_server
    context_a, a, errors = _open_pad(chromium, server, ids, CLAIRE)
    context_b, b, _errors = _open_pad(chromium, server, ids, AHMED)
    a.fill("#pad-chat-input", "Je relis le tableau")
    a.keyboard.press("Enter")
    expect(b.locator(".pad-chat-log")).to_contain_text("Je relis le tableau")
    expect(b.locator(".pad-chat-log")).to_contain_text("Claire Martin")

    a.get_by_role("button", name="Historique").click()
    slider = a.locator("#pad-history-slider")
    expect(slider).to_be_visible()
    assert a.locator(".pad-toolbar").is_hidden()
    # The slider's range arrives with the history: wait for it before moving the slider.
    a.wait_for_function("() => Number(document.querySelector('#pad-history-slider').max) >= 3")
    # The first revisions hold the first words, before Ahmed wrote anything.
    slider.fill("3")
    expect(a.locator(".pad-history-where")).to_contain_text("Révision 3")
    history_text = a.locator(".pad-history-text .pad-text")
    expect(history_text).not_to_contain_text("Réponse de B")
    a.fill("#pad-revision-label", "Première version")
    a.get_by_role("button", name="Enregistrer la version actuelle").click()
    expect(a.locator(".pad-saved-revisions")).to_contain_text("Première version")
    a.screenshot(path=str(SHOTS / "pad-history.png"), full_page=True)
    a.get_by_role("button", name="Revenir au texte").click()
    expect(a.locator(".pad-toolbar")).to_be_visible()
    b.screenshot(path=str(SHOTS / "pad-chat.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]
    context_a.close()
    context_b.close()


def test_the_pad_speaks_english_to_an_english_browser(pad_server, chromium):
    """The editor's words come from the djangojs catalogue, in the page's language."""
    server, ids = pad_server
    context, page, errors = _open_pad(chromium, server, ids, CLAIRE, locale="en-GB")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    status = page.locator("[data-pad-status]")
    expect(status).to_have_attribute("data-state", "saved")
    expect(status).to_have_text("Saved")
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_visible()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    strike = page.get_by_role("button", name="Strikethrough")
    expect(strike).to_have_attribute("title", "Strikethrough (Ctrl+Shift+s)")
    expect(page.get_by_role("combobox", name="Paragraph style")).to_be_visible()
    expect(page.get_by_role("switch", name="Show author colours")).to_be_visible()
    expect(page.locator("#pad-chat-title")).to_have_text("Chat")
    expect(page.locator("#pad-chat-input")).to_have_attribute("placeholder", "Message…")

    page.get_by_role("button", name="History").click()
    page.wait_for_function("() => Number(document.querySelector('#pad-history-slider').max) >= 1")
    page.locator("#pad-history-slider").fill("1")
    expect(page.locator(".pad-history-where")).to_contain_text("Revision 1 / ")
    expect(page.get_by_role("button", name="Save the current version")).to_be_visible()
    page.get_by_role("button", name="Back to the text").click()

    # A reader, in English too.
    reader_context = chromium.new_context(locale="en-GB")
    reader = reader_context.new_page()
    reader.goto(f"{server.url}/pad/p/{ids['readonly_id']}")
    expect(reader.locator("[data-pad-status]")).to_have_text("Read only")
    reader_context.close()
    assert "Enregistré" not in page.locator("#pad").inner_text()
    assert not [e for e in errors if "Content Security Policy" in e or "Error" in e]
    context.close()


def test_writers_reconnect_and_resend_after_the_server_is_killed(pad_server, chromium):
    server, ids = pad_server
    context, page, _errors = _open_pad(chromium, server, ids, CLAIRE)
    status = page.locator("[data-pad-status]")
    expect(status).to_have_attribute("data-state", "saved")
    assert server.process is not None
    server.process.kill()  # SIGKILL: no goodbye to anyone
    server.process.wait(10)
    expect(status).to_have_attribute("data-state", "offline")
    expect(status).to_have_text(
        "Hors ligne — vos modifications seront envoyées au retour de la connexion"
    )
    page.click(".pad-text")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("Écrit pendant la panne")
    page.screenshot(path=str(SHOTS / "pad-offline.png"))
    server.start()
    expect(status).to_have_attribute("data-state", "saved", timeout=30000)
    context.close()
    # What was typed offline reached the server: a newcomer reads it.
    reader_context = chromium.new_context(locale="fr-FR")
    reader = reader_context.new_page()
    reader.goto(f"{server.url}/pad/p/{ids['readonly_id']}")
    expect(reader.locator(".pad-text")).to_contain_text("Écrit pendant la panne")
    reader_context.close()


def test_the_editor_passes_axe(pad_server, chromium):
    """axe-core finds no serious or critical problem in the pad (editor, toolbar, side panel)."""
    server, ids = pad_server
    axe = Path(__file__).resolve().parents[2] / "testing" / "vendor" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core is not vendored: run npm run build")
    # Injecting axe is an inline script: this context alone lets it through the CSP.
    context = chromium.new_context(locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    sign_in(page, server, CLAIRE)
    page.goto(f"{server.url}/pad/p/{ids['pad_id']}")
    page.wait_for_selector(".pad-text[contenteditable=true]")
    page.add_script_tag(path=str(axe))
    result = page.evaluate("() => axe.run(document.getElementById('pad'))")
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    context.close()


def test_a_link_is_asked_in_a_dialog_not_a_prompt(pad_server, chromium):
    server, ids = pad_server
    context, page, errors = _open_pad(chromium, server, ids, CLAIRE)
    prompts: list[str] = []
    page.on("dialog", lambda dialog: (prompts.append(dialog.message), dialog.dismiss()))
    page.click(".pad-text")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("le programme")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Control+k")
    field = page.get_by_label("Adresse du lien (vide pour l’enlever) :")
    expect(field).to_be_focused()
    field.fill("https://eduscol.education.fr/")
    page.keyboard.press("Enter")
    link = page.locator(".pad-text a", has_text="le programme")
    expect(link).to_have_attribute("href", "https://eduscol.education.fr/")
    expect(page.locator("dialog.pad-ask")).to_have_count(0)
    # Escape cancels and leaves the link as it was.
    page.keyboard.press("Control+k")
    page.keyboard.press("Escape")
    expect(link).to_have_attribute("href", "https://eduscol.education.fr/")
    assert prompts == []
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()


def test_a_pad_made_for_a_class_is_the_class_s_until_its_teacher_opens_it(pad_server, chromium):
    """Claire makes a pad for 5e A: its share screen says so, a visitor holding the link
    is sent to sign in (no guest's name prompt, no socket), a pupil of 5e A writes in it."""

    server, _ids = pad_server
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    sign_in(page, server, CLAIRE)
    page.goto(f"{server.url}/pad/")
    page.get_by_label("Titre").fill("Notes de 5e A")
    page.get_by_label("Pour").select_option(label="5e A")
    page.get_by_role("button", name="Créer").click()
    page.wait_for_selector(".pad-text[contenteditable=true]")
    url = page.url
    page.get_by_role("link", name="Partage et paramètres").click()
    access = page.locator(".pad-access")
    expect(access).to_contain_text("5e A peut modifier")
    expect(access).not_to_contain_text("sans compte")
    page.screenshot(path=str(SHOTS / "pad-share-class.png"), full_page=True)

    visitor_context = chromium.new_context(locale="fr-FR")
    visitor = visitor_context.new_page()
    visitor.goto(url)
    expect(visitor).to_have_url(re.compile(r"/accounts/login/"))
    assert visitor.locator("input[name=name]").count() == 0
    opened = visitor.evaluate(
        """path => new Promise(resolve => {
            const socket = new WebSocket(`ws://${location.host}${path}`);
            socket.onopen = () => resolve(true);
            socket.onclose = () => resolve(false);
        })""",
        "/ws/pad/" + url.rsplit("/", 1)[-1],
    )
    assert opened is False
    visitor_context.close()

    pupil_context = chromium.new_context(locale="fr-FR")
    pupil = pupil_context.new_page()
    cursors: list[int] = []  # the size of each cursor state the editor sends

    def on_socket(socket):
        def on_frame(payload):
            if isinstance(payload, bytes) and payload[:1] == bytes([protocol.MESSAGE_AWARENESS]):
                reader = protocol.Reader(payload[1:])
                for entry in protocol.parse_awareness(reader.var_bytes()):
                    cursors.append(len(entry.state.encode()))

        socket.on("framesent", on_frame)

    pupil.on("websocket", on_socket)
    sign_in(pupil, server, "lucas.5ea")
    pupil.goto(url)
    pupil.wait_for_selector(".pad-text[contenteditable=true]")
    pupil.click(".pad-text")
    pupil.keyboard.type("Mon idée pour l'exposé")
    expect(pupil.locator("[data-pad-status]")).to_have_attribute("data-state", "saved")
    page.goto(url)
    expect(page.locator(".pad-text")).to_contain_text("Mon idée pour l'exposé")
    # What the limit on cursor states is measured against (docs/pad.md, "Limits").
    assert cursors and max(cursors) < protocol.MAX_AWARENESS_STATE // 4, cursors
    pupil_context.close()
    context.close()
