"""Drive's demo content: a few real files in the teacher's Drive and the class folder, a
folder shared with the co-teacher, and a homework box with one pupil's work handed in."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from PIL import Image, ImageDraw

from cartable.drive import actions
from cartable.drive.actions.filedrop import set_file_drop
from cartable.drive.actions.sharing import share_with_user
from cartable.drive.models import Node


def _picture() -> bytes:
    image = Image.new("RGB", (1200, 800), "#dbeafe")
    draw = ImageDraw.Draw(image)
    for i in range(0, 800, 40):
        draw.rectangle([0, i, 1200, i + 20], fill=(219 - i // 8, 234 - i // 10, 254))
    draw.ellipse([450, 250, 750, 550], fill="#1d4ed8")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


SEQUENCE = """# Séquence 2 — La Révolution française

1. 1789 : les états généraux, le serment du Jeu de paume, la prise de la Bastille.
2. La Déclaration des droits de l'homme et du citoyen.
3. 1792 : la République.

Évaluation : frise chronologique à rendre dans le dossier « Devoir 1 » de la classe.
"""

CONSIGNES = """Devoir 1 — Frise chronologique

Réalisez une frise de 1789 à 1799 avec au moins huit événements.
Déposez votre travail dans le dossier « Devoir 1 — Frise chronologique » :
vous seuls et votre professeur le verrez.
"""


def create(people: dict[str, Any]) -> Iterator[str]:
    teacher, colleague, group = people["teacher"], people["colleague"], people["group"]
    root = actions.root_of(actions.personal_space(teacher))
    if Node.objects.filter(parent=root, trashed=False).exists():
        return
    sequence = actions.create_folder(root, "Séquence 2 — La Révolution", by=teacher)
    actions.write_file(sequence, "Plan de la séquence.md", [SEQUENCE.encode()], by=teacher)
    actions.create_folder(root, "Administratif", by=teacher)
    actions.write_file(root, "Photo de classe.jpg", [_picture()], by=teacher)
    share_with_user(sequence, colleague, "editor", by=teacher)

    class_root = actions.root_of(actions.group_space(group))
    lessons = actions.create_folder(class_root, "Cours", by=teacher)
    actions.write_file(lessons, "Plan de la séquence.md", [SEQUENCE.encode()], by=teacher)
    actions.write_file(lessons, "Consignes du devoir 1.txt", [CONSIGNES.encode()], by=teacher)
    box = actions.create_folder(class_root, "Devoir 1 — Frise chronologique", by=teacher)
    set_file_drop(box, True, by=teacher)
    lea = next((s for s in people.get("students", []) if s.username == "lea.4eb"), None)
    if lea is not None:
        actions.write_file(box, "frise-lea.txt", [b"1789 ... 1799"], by=lea)
    yield "Drive: files in Claire Martin's Drive and in the class folder (a homework box)."
