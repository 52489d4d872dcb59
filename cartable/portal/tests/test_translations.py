import ast
import gettext
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header excluded; enough of the format for our catalogues."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry, current, strings = Entry(), "", {}
        for line in block.splitlines():
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                strings[current] += ast.literal_eval(line)
            else:
                current, _, quoted = line.partition(" ")
                strings[current] = ast.literal_eval(quoted)
        entry.msgid = strings.get("msgid", "")
        entry.msgctxt = strings.get("msgctxt")
        entry.msgid_plural = strings.get("msgid_plural")
        entry.msgstrs = [value for key, value in strings.items() if key.startswith("msgstr")]
        if entry.msgid or entry.obsolete:
            entries.append(entry)
    return entries


def catalogue(language: str, domain: str = "django") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def french_catalogues() -> list[Path]:
    return sorted((LOCALE_DIR / "fr" / "LC_MESSAGES").glob("*.po"))


@pytest.mark.parametrize("po", french_catalogues(), ids=lambda path: path.name)
def test_french_catalogue_has_no_untranslated_fuzzy_or_obsolete_entry(po):
    entries = read_po(po)
    assert entries
    assert [e.msgid for e in entries if not all(e.msgstrs)] == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if e.obsolete] == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("po", french_catalogues(), ids=lambda path: path.name)
def test_msgfmt_counts_every_french_message_translated(po):
    result = subprocess.run(
        [str(shutil.which("msgfmt")), "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert re.fullmatch(r"\d+ translated messages?\.\n", result.stderr), result.stderr


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_translations_keep_the_placeholders_of_the_source(domain):
    for entry in read_po(catalogue("fr", domain)):
        sources = [entry.msgid, entry.msgid_plural or entry.msgid]
        for i, msgstr in enumerate(entry.msgstrs):
            source = sources[min(i, 1)]
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(source)), (
                entry.msgid
            )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_committed_mo_files_are_compiled_from_the_current_po_files(language):
    for po in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po.with_suffix(".mo").open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        for entry in read_po(po):
            if entry.msgctxt is not None:
                expected = entry.msgstrs[0] or entry.msgid
                assert compiled.pgettext(entry.msgctxt, entry.msgid) == expected, entry.msgid
            elif entry.msgid_plural is None:
                expected = entry.msgstrs[0] or entry.msgid
                assert compiled.gettext(entry.msgid) == expected, entry.msgid
            else:
                for n, msgstr in ((1, entry.msgstrs[0]), (2, entry.msgstrs[-1])):
                    fallback = entry.msgid if n == 1 else entry.msgid_plural
                    assert compiled.ngettext(entry.msgid, entry.msgid_plural, n) == (
                        msgstr or fallback
                    ), entry.msgid


@pytest.mark.django_db
def test_home_page_is_in_french_by_default(client):
    html = client.get("/").content.decode()
    assert '<html lang="fr">' in html
    assert "une seule connexion, tous les outils pour enseigner" in html
    assert "Créer mon compte professionnel" in html
    assert "Se connecter" in html
    assert "every tool to teach" not in html


@pytest.mark.django_db
def test_login_page_is_in_french_by_default(client):
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="fr">' in html
    assert "Connexion" in html
    assert "Mot de passe" in html
    assert "Laissez vide pour recevoir un code de connexion par e-mail." in html
    assert "Sign In" not in html


@pytest.mark.django_db
def test_language_cookie_en_shows_the_home_page_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "one sign-in, every tool to teach" in html
    assert "Create my staff account" in html
    assert "Se connecter" not in html


@pytest.mark.django_db
def test_language_cookie_en_shows_the_login_page_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="en">' in html
    assert "Sign In" in html
    assert "Leave empty to receive a sign-in code by e-mail." in html
    assert "Connexion" not in html


@pytest.mark.django_db
def test_english_browser_gets_english_without_a_cookie(client):
    html = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"}).content.decode()
    assert "one sign-in, every tool to teach" in html


@pytest.mark.django_db
def test_dashboard_is_in_french_for_a_signed_in_teacher(client, teacher):
    client.force_login(teacher)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Bonjour Claire Martin" in html
    assert "Tableau de bord" in html
    assert "Recent activity" not in html


# The browser code's messages: gettext("..."), pgettext("context", "..."), literals only.
FRONTEND = Path(settings.BASE_DIR).parent / "frontend"
JS_GETTEXT = re.compile(r'\b(?:gettext\(|pgettext\(\s*"[^"]*",)\s*"((?:[^"\\]|\\.)*)"')


def frontend_messages() -> set[str]:
    found = set()
    for path in FRONTEND.rglob("*.js"):
        if not path.name.endswith(".test.js"):
            found.update(JS_GETTEXT.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_message_of_the_browser_code_is_in_the_djangojs_catalogues():
    messages = frontend_messages()
    assert "Saved" in messages and "Shift" in messages
    for language in ("fr", "en"):
        msgids = {entry.msgid for entry in read_po(catalogue(language, "djangojs"))}
        assert messages - msgids == set(), f"run make messages ({language})"


def test_javascript_catalogue_has_cartables_words_in_french(client):
    script = client.get(reverse("javascript-catalog"), headers={"accept-language": "fr"})
    assert script["Content-Type"].startswith("text/javascript")
    text = script.content.decode()
    assert '"Saved": "Enregistr\\u00e9"' in text
    assert '"Uploaded": "Envoy\\u00e9"' in text
    # Cartable's own catalogue only: not the admin's calendar, nor its plural rule.
    assert "January" not in text
    assert "const v = (n > 1);" in text


def test_javascript_catalogue_translates_nothing_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get(reverse("javascript-catalog")).content.decode()
    # The functions, and no catalogue: the source strings are English.
    assert "django.gettext = function" in text
    assert "newcatalog" not in text


@pytest.mark.django_db
def test_every_page_loads_the_javascript_catalogue_before_its_modules(client):
    html = client.get("/").content.decode()
    catalogue_at = html.index(f'<script defer src="{reverse("javascript-catalog")}"></script>')
    assert catalogue_at < html.index('<script type="module"')
