from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class NewPadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    group = forms.ChoiceField(
        label=_("For"),
        required=False,
        help_text=_(
            "A pad for a class is open to its pupils and teachers only; you choose who else "
            "may open it afterwards, in its share screen."
        ),
    )

    def __init__(self, *args: Any, groups: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.groups = {str(g.public_id): g for g in groups}
        choices = [("", _("Only me (I will share it afterwards)"))] + [
            (str(g.public_id), g.name) for g in groups
        ]
        self.fields["group"].choices = choices  # type: ignore[attr-defined]


class GuestNameForm(forms.Form):
    name = forms.CharField(label=_("Your name, as the other writers will see it"), max_length=100)
