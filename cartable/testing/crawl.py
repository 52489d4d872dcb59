"""Follow every link and button a person is offered, and report those that lead to a refusal.

A page must offer only what the person may do (the same ``abilities`` the server enforces):
a link or a button that ends in "Accès refusé", or sends a signed-in person to the sign-in
page, is a lie of the interface. :class:`Crawler` walks pages with Django's test client, as
that person, from a few starting points:

- every same-origin ``<a href>`` is requested with GET, and HTML answers are crawled in turn;
- every ``<form>`` is submitted the way a browser would with nothing typed: its hidden and
  pre-filled fields, the value of the button pressed (each submit button, with its
  ``formaction``/``formmethod``), and, for a form with checkboxes (a selection), once with each
  checkbox ticked alone. GET forms are requested and crawled like links. POST forms are
  submitted inside a savepoint that is rolled back, with the client's cookies put back
  afterwards: the server's own checks answer, and nothing is deleted, moved or signed out.

What counts as a refusal: a 403, a page saying "Accès refusé" / "Not allowed", a redirect to
the sign-in page for a signed-in person, and a 5xx (a crash is no better). A link (not a form,
whose empty submission may lack what a person would type or pick) must also not lead to a 404
or a 405: a link to a page that does not exist, or to a POST-only endpoint, is broken.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

if TYPE_CHECKING:
    from cartable.accounts.models import User

REFUSAL_TEXTS = ("Accès refusé", "<h1>Not allowed</h1>")
SKIPPED_PREFIXES = ("/static/", "/ws/", "/admin/")
# Fields that do not change what a POST form asks for: where it returns to, its CSRF token.
IGNORED_FIELDS = ("next", "csrfmiddlewaretoken")
# Query parameters that only sort a page or say where to go back: the same page for the crawl.
ORDER_PARAMS = ("next", "sort", "order")
# At most this many queries of one path are crawled (a folder picker walks every folder).
VARIANTS_PER_PATH = 25
# Checkboxes ticked one at a time, at most this many per form: a selection of one row each.
CHECKBOX_VARIANTS = 40


@dataclass
class Field:
    name: str
    value: str
    kind: str = "text"
    checked: bool = False
    form: str | None = None


@dataclass
class Button:
    name: str
    value: str
    formaction: str | None = None
    formmethod: str | None = None
    form: str | None = None
    label: str = ""
    disabled: bool = False


@dataclass
class Form:
    action: str | None
    method: str
    id: str | None = None
    fields: list[Field] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """A link followed or a form submitted from the page ``source``."""

    source: str
    via: str  # "link" or "form"
    label: str  # the link's text or the button's
    method: str
    url: str
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    step: Step
    what: str

    def __str__(self) -> str:
        s = self.step
        return f"{s.source}: {s.via} “{s.label}” {s.method} {s.url} -> {self.what}"


class _PageParser(HTMLParser):
    """Links and forms of a page; controls outside a form join it through ``form="id"``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.forms: list[Form] = []
        self._open: Form | None = None
        self._orphans: list[Field | Button] = []
        self._select: Field | None = None
        self._select_first = True
        self._button: Button | None = None
        self._label: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and "href" in a:
            self._label = [a["href"], ""]
            self.links.append(("", ""))
        elif tag == "form":
            self._open = Form(
                action=a.get("action") or None,
                method=(a.get("method") or "get").lower(),
                id=a.get("id") or None,
            )
            self.forms.append(self._open)
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                self._add(
                    Button(
                        a.get("name", ""),
                        a.get("value", ""),
                        a.get("formaction") or None,
                        a.get("formmethod") or None,
                        a.get("form") or None,
                        label=a.get("value", ""),
                        disabled="disabled" in a,
                    )
                )
            elif a.get("name") and kind not in ("file", "reset", "button") and "disabled" not in a:
                self._add(Field(a["name"], a.get("value", ""), kind, "checked" in a, a.get("form")))
        elif tag == "button":
            kind = (a.get("type") or "submit").lower()
            if kind == "submit":
                self._button = Button(
                    a.get("name", ""),
                    a.get("value", ""),
                    a.get("formaction") or None,
                    a.get("formmethod") or None,
                    a.get("form") or None,
                    disabled="disabled" in a,
                )
                self._add(self._button)
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self._select = Field(a["name"], "", "select", form=a.get("form") or None)
            self._select_first = True
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            if self._select_first or "selected" in a:
                self._select.value = a.get("value", "")
                self._select_first = False
        elif tag == "textarea" and a.get("name"):
            self._add(Field(a["name"], "", "textarea", form=a.get("form") or None))

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label[1] += data
        if self._button is not None:
            self._button.label += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._label is not None:
            self.links[-1] = (self._label[0], " ".join(self._label[1].split()))
            self._label = None
        elif tag == "button":
            self._button = None
        elif tag == "form":
            self._open = None
        elif tag == "select":
            self._select = None

    def _add(self, control: Field | Button) -> None:
        if control.form:
            self._orphans.append(control)
        elif self._open is not None:
            (self._open.buttons if isinstance(control, Button) else self._open.fields).append(
                control  # type: ignore[arg-type]
            )

    def close(self) -> None:
        super().close()
        by_id = {f.id: f for f in self.forms if f.id}
        for control in self._orphans:
            form = by_id.get(control.form or "")
            if form is None:
                continue
            if isinstance(control, Button):
                form.buttons.append(control)
            else:
                form.fields.append(control)


def parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def submissions(form: Form, page_url: str) -> Iterable[Step]:
    """Each way of submitting ``form`` with nothing typed (the source is filled by the caller)."""
    base: list[tuple[str, str]] = []
    boxes: list[Field] = []
    for f in form.fields:
        if f.kind in ("checkbox", "radio"):
            if f.checked:
                base.append((f.name, f.value or "on"))
            elif f.kind == "checkbox":
                boxes.append(f)
        else:
            base.append((f.name, f.value))
    # A form whose buttons are all disabled cannot be sent; one without buttons is sent by
    # pressing Enter.
    buttons = [b for b in form.buttons if not b.disabled] if form.buttons else [Button("", "")]
    variants: list[list[tuple[str, str]]] = [[]]
    variants += [[(b.name, b.value or "on")] for b in boxes[:CHECKBOX_VARIANTS]]
    for button in buttons:
        method = (button.formmethod or form.method).upper()
        action = urljoin(page_url, button.formaction or form.action or page_url)
        pressed = [(button.name, button.value)] if button.name else []
        label = " ".join(button.label.split()) or button.value
        for extra in variants:
            fields = base + extra + pressed
            if method == "GET":
                # As browsers do, a GET form's fields replace its action's query.
                query = urlencode(fields)
                action = urlsplit(action).path + ("?" + query if query else "")
                fields = []
            yield Step(page_url, "form", label, method, action, fields)


def _path(url: str) -> str | None:
    """The same-origin path and query of ``url``, without fragment; None for other origins."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _key(path: str) -> str:
    split = urlsplit(path)
    query = sorted((k, v) for k, v in parse_qsl(split.query) if k not in ORDER_PARAMS)
    return split.path + "?" + urlencode(query)


def _is_html(response: HttpResponseBase) -> bool:
    return not getattr(response, "streaming", False) and response.get(
        "Content-Type", ""
    ).startswith("text/html")


@dataclass
class Crawler:
    """Crawl as whoever ``client`` is signed in as (``signed_in`` says whether that is someone)."""

    client: Client
    signed_in: bool
    limit: int = 400
    skip: Callable[[str], bool] = lambda path: False
    problems: list[Problem] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    variants: dict[str, int] = field(default_factory=dict)
    posted: set[tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=set)
    requests: int = 0

    def crawl(self, starts: Iterable[str]) -> list[Problem]:
        queue: deque[Step] = deque(Step("(start)", "link", "", "GET", s) for s in starts)
        with _quiet_request_log():
            while queue and self.requests < self.limit:
                step = queue.popleft()
                if step.method == "GET":
                    queue.extend(self._visit(step))
                else:
                    self._post(step)
        return self.problems

    def _visit(self, step: Step) -> list[Step]:
        path = _path(step.url)
        if path is None or self._skipped(path) or not self._first_visit(path):
            return []
        final = self._follow(step, path, self._get(path))
        if final is None:
            return []
        page_path, response = final
        if not _is_html(response):
            return []
        html = _text(response)
        if any(text in html for text in REFUSAL_TEXTS):
            self._problem(step, "a page saying access is refused")
            return []
        found = parse(html)
        steps = [
            Step(page_path, "link", label, "GET", urljoin(page_path, href))
            for href, label in found.links
        ]
        for form in found.forms:
            steps.extend(submissions(form, page_path))
        return steps

    def reached(self, url: str) -> bool:
        """Whether the crawl requested ``url`` (or the same page in another order)."""
        path = _path(url)
        return path is not None and _key(path) in self.visited

    def _first_visit(self, path: str) -> bool:
        """Whether ``path`` is new: its query, without the parameters that only sort a page or
        say where to return, was not seen, and its path was not seen too often already."""
        split = urlsplit(path)
        key = _key(path)
        if key in self.visited:
            return False
        seen = self.variants.get(split.path, 0)
        if seen >= VARIANTS_PER_PATH:
            return False
        self.variants[split.path] = seen + 1
        self.visited.add(key)
        return True

    def _skipped(self, path: str) -> bool:
        return path.startswith(SKIPPED_PREFIXES) or self.skip(path)

    def _get(self, path: str) -> HttpResponseBase:
        self.requests += 1
        response = self.client.get(path)
        if getattr(response, "streaming", False):
            # Closing a response sends request_finished, whose close_old_connections would
            # close the test's connection in its transaction (PostgreSQL): Django's test
            # client keeps it away while it closes responses itself.
            request_finished.disconnect(close_old_connections)
            try:
                response.close()
            finally:
                request_finished.connect(close_old_connections)
        return response

    def _follow(
        self, step: Step, path: str, response: HttpResponseBase
    ) -> tuple[str, HttpResponseBase] | None:
        """The page a GET ends on, after same-origin redirects; None after a problem."""
        current = path
        for _hop in range(5):
            if response.status_code not in (301, 302, 303, 307, 308):
                break
            location = _path(urljoin(current, response["Location"]))
            if location is None:
                return None
            if self._to_sign_in(location):
                self._problem(step, f"sent to the sign-in page ({location})")
                return None
            if self._skipped(location):
                return None
            current = location
            self._first_visit(current)
            response = self._get(current)
        status = response.status_code
        broken = status >= 500 or status == 403
        if step.via == "link":
            broken = broken or status in (404, 405, 410)
        if broken:
            self._problem(step, str(status))
            return None
        if status >= 400:
            return None
        return current, response

    def _to_sign_in(self, location: str) -> bool:
        return self.signed_in and urlsplit(location).path == reverse("account_login")

    def _post(self, step: Step) -> None:
        path = _path(step.url)
        if path is None or self._skipped(path):
            return
        # Where the form returns to changes nothing of what it asks (the language switch,
        # sign-out and favourite stars are on every page).
        key = (path, tuple(sorted(f for f in step.fields if f[0] not in IGNORED_FIELDS)))
        if key in self.posted:
            return
        self.posted.add(key)
        data: dict[str, list[str]] = {}
        for name, value in step.fields:
            data.setdefault(name, []).append(value)
        cookies = copy.deepcopy(self.client.cookies)
        self.requests += 1
        try:
            with transaction.atomic():
                self._judge_post(step, path, self.client.post(path, data))
                transaction.set_rollback(True)
        finally:
            self.client.cookies = cookies

    def _judge_post(self, step: Step, path: str, response: Any) -> None:
        status = response.status_code
        if status == 403 or status >= 500:
            self._problem(step, str(status))
        elif status in (301, 302, 303):
            location = _path(urljoin(path, response["Location"])) or ""
            if self._to_sign_in(location):
                self._problem(step, "sent to the sign-in page")
        elif _refuses(response):
            self._problem(step, "a page saying access is refused")

    def _problem(self, step: Step, what: str) -> None:
        self.problems.append(Problem(step, what))


def _refuses(response: HttpResponseBase) -> bool:
    return _is_html(response) and any(text in _text(response) for text in REFUSAL_TEXTS)


def _text(response: HttpResponseBase) -> str:
    content: bytes = getattr(response, "content", b"")
    return content.decode("utf-8", "replace")


@contextlib.contextmanager
def _quiet_request_log() -> Iterator[None]:
    """Refusals are what the crawl looks for: it reports them itself, without tracebacks."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
