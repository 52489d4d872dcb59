// The browser's words come from the same gettext catalogues as the pages: Django's JavaScript
// catalogue (/jsi18n/, domain "djangojs"), which the base template loads before any module and
// which defines the global `django`. `make messages` finds the strings by these functions'
// names, so they are always called with literals: gettext("Saved"), never gettext(name).
//
// Without the catalogue (a unit test in Node, or a page whose catalogue failed to load) the
// English source strings are shown, as Django does for an untranslated message.

function catalogue() {
  return globalThis.django;
}

export function gettext(msgid) {
  return catalogue()?.gettext(msgid) ?? msgid;
}

export function ngettext(singular, plural, count) {
  return catalogue()?.ngettext(singular, plural, count) ?? (count === 1 ? singular : plural);
}

export function pgettext(context, msgid) {
  return catalogue()?.pgettext(context, msgid) ?? msgid;
}

/**
 * Django's interpolate(): "%s" replaced by the values of a list in turn, or, with named,
 * "%(name)s" by the value of an object's key.
 */
export function interpolate(format, values, named = false) {
  const django = catalogue();
  if (django) return django.interpolate(format, values, named);
  if (named) return format.replace(/%\(\w+\)s/g, (match) => String(values[match.slice(2, -2)]));
  let i = 0;
  return format.replace(/%s/g, () => String(values[i++]));
}

/** The page's language ("fr", "en"): <html lang>, set by the server from the same choice. */
export function pageLanguage() {
  return (globalThis.document?.documentElement.lang || "fr").slice(0, 2);
}

/** The locale for dates and numbers: French dates in French, British ones in English. */
export function dateLocale() {
  return pageLanguage() === "en" ? "en-GB" : "fr-FR";
}
