// The words: from Django's catalogue when the page has it, the English source otherwise.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { dateLocale, gettext, interpolate, ngettext, pageLanguage, pgettext } from "./i18n.js";

afterEach(() => {
  delete globalThis.django;
  delete globalThis.document;
});

test("without a catalogue, the English source strings are shown", () => {
  assert.equal(gettext("Saved"), "Saved");
  assert.equal(pgettext("keyboard key", "Shift"), "Shift");
  assert.equal(ngettext("%s file", "%s files", 1), "%s file");
  assert.equal(ngettext("%s file", "%s files", 2), "%s files");
});

test("without a catalogue, interpolate fills %s in turn and %(name)s by name", () => {
  assert.equal(interpolate("Revision %s of %s", [3, 5]), "Revision 3 of 5");
  assert.equal(
    interpolate("%(done)s/%(count)s done", { done: 1, count: 2 }, true),
    "1/2 done",
  );
});

test("with Django's catalogue, its translations are used", () => {
  const french = { Saved: "Enregistré", "Revision %s": "Révision %s" };
  globalThis.django = {
    gettext: (msgid) => french[msgid] ?? msgid,
    ngettext: (singular, plural, count) => (count > 1 ? `${plural} (fr)` : `${singular} (fr)`),
    pgettext: (context, msgid) => (context === "keyboard key" && msgid === "Shift" ? "Maj" : msgid),
    interpolate: (format, values) => format.replace("%s", `[${values[0]}]`),
  };
  assert.equal(gettext("Saved"), "Enregistré");
  assert.equal(gettext("Unknown"), "Unknown");
  assert.equal(pgettext("keyboard key", "Shift"), "Maj");
  assert.equal(ngettext("a file", "files", 2), "files (fr)");
  assert.equal(interpolate(gettext("Revision %s"), [4]), "Révision [4]");
});

test("the page's language chooses the dates' locale, French by default", () => {
  assert.equal(pageLanguage(), "fr");
  assert.equal(dateLocale(), "fr-FR");
  globalThis.document = { documentElement: { lang: "en" } };
  assert.equal(pageLanguage(), "en");
  assert.equal(dateLocale(), "en-GB");
});
