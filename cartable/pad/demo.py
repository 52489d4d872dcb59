"""Pad's demo content: a meeting report written by the teacher and her co-teacher (each in
their colour, with a list and a table), and the class's shared notes, with a pupil's line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cartable.core.roles import Role
from cartable.pad import actions
from cartable.pad.actions import authors
from cartable.pad.models import Pad


def _text(text: str, author_id: str, *marks: str) -> dict[str, Any]:
    return {
        "type": "text",
        "text": text,
        "marks": [{"type": "author", "attrs": {"id": author_id}}]
        + [{"type": mark} for mark in marks],
    }


def _block(kind: str, *content: dict[str, Any], **attrs: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"type": kind, "content": list(content)}
    if attrs:
        node["attrs"] = attrs
    return node


def _item(*content: dict[str, Any]) -> dict[str, Any]:
    return _block("listItem", _block("paragraph", *content))


def _cell(*content: dict[str, Any]) -> dict[str, Any]:
    return _block("tableCell", _block("paragraph", *content))


def _doc(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "content": list(blocks)}


def create(people: dict[str, Any]) -> Iterator[str]:
    teacher, colleague, group = people["teacher"], people["colleague"], people["group"]
    if Pad.objects.filter(owner=teacher).exists():
        return
    claire, paul = authors.author_for_user(teacher), authors.author_for_user(colleague)
    c, p = claire.author_id, paul.author_id

    report = actions.create_pad(owner=teacher, title="Compte rendu du conseil pédagogique")
    actions.share_with_user(report, colleague, Role.EDITOR, by=teacher)
    actions.set_content(
        report,
        _doc(
            _block("heading", _text("Conseil pédagogique du 12 novembre", c), level=1),
            _block(
                "paragraph",
                _text("Présents : ", c, "bold"),
                _text("Claire Martin, Paul Bernard, la documentaliste.", c),
            ),
            _block("heading", _text("Ordre du jour", c), level=2),
            _block(
                "bulletList",
                _item(_text("Projet interdisciplinaire histoire–français", c)),
                _item(_text("Sortie au musée de la Révolution française", c)),
            ),
        ),
        author_pk=claire.pk,
    )
    actions.append_content(
        report,
        _doc(
            _block(
                "paragraph",
                _text("Le projet portera sur les cahiers de doléances : ", p),
                _text("lecture en français, contexte en histoire.", p, "italic"),
            ),
            _block(
                "table",
                _block("tableRow", _cell(_text("Date", p)), _cell(_text("Étape", p))),
                _block(
                    "tableRow",
                    _cell(_text("Semaine 3", p)),
                    _cell(_text("Lecture de cahiers de doléances", p)),
                ),
                _block(
                    "tableRow",
                    _cell(_text("Semaine 5", p)),
                    _cell(_text("Rédaction d'un cahier de la classe", p)),
                ),
            ),
        ),
        author_pk=paul.pk,
    )
    actions.append_content(
        report,
        _doc(
            _block("paragraph", _text("Sortie : demande de car à faire avant le 1er décembre.", c))
        ),
        author_pk=claire.pk,
    )

    notes = actions.create_pad(owner=teacher, group=group, title=f"Notes de cours — {group.name}")
    actions.set_content(
        notes,
        _doc(
            _block("heading", _text("La prise de la Bastille", c), level=2),
            _block("paragraph", _text("Le 14 juillet 1789, les Parisiens…", c)),
        ),
        author_pk=claire.pk,
    )
    lea = next((s for s in people.get("students", []) if s.username == "lea.4eb"), None)
    if lea is not None:
        pupil = authors.author_for_user(lea)
        line = "Ils cherchaient de la poudre pour leurs fusils."
        actions.append_content(
            notes, _doc(_block("paragraph", _text(line, pupil.author_id))), author_pk=pupil.pk
        )
    yield "Pad: a meeting report by Claire Martin and Paul Bernard, and the class's notes."
