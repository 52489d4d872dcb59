"""Converting pads to and from other formats.

The pure conversions work on ProseMirror JSON (the pad document's form, see
``cartable.pad.document``): HTML both ways, Markdown both ways, plain text (``document``'s),
and docx, odt and PDF through LibreOffice. ``cartable.pad.actions.conversion`` applies them to stored pads.
"""

from cartable.pad.convert.html_in import decode_html, html_to_pm
from cartable.pad.convert.html_out import pm_to_html
from cartable.pad.convert.markdown import markdown_to_pm, pm_to_markdown
from cartable.pad.convert.office import (
    OfficeError,
    OfficeUnavailable,
    export_office,
    office_available,
    office_to_html_file,
)
from cartable.pad.document import pm_to_text, text_to_pm

__all__ = [
    "OfficeError",
    "OfficeUnavailable",
    "decode_html",
    "export_office",
    "html_to_pm",
    "markdown_to_pm",
    "office_available",
    "office_to_html_file",
    "pm_to_html",
    "pm_to_markdown",
    "pm_to_text",
    "text_to_pm",
]
