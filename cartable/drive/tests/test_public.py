import pytest

from cartable.drive import public
from cartable.drive.errors import NotFound


def test_save_then_attach(teacher, colleague):
    saved = public.save_to_drive(teacher, "export.pdf", [b"%PDF-1.4"], folder="Pad/Exports")
    again = public.save_to_drive(teacher, "export.pdf", [b"%PDF-1.5"], folder="Pad/Exports")
    assert again.name == "export (2).pdf"
    attached = public.attach(teacher, saved.public_id)
    assert b"".join(attached.chunks()) == b"%PDF-1.4"
    with pytest.raises(NotFound):
        public.attach(colleague, saved.public_id)
