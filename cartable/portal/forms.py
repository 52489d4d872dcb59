from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.portal.models import Contribution


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["topic", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}


class TriageForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["status", "answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 4})}


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(label=_("Type DELETE to confirm"), max_length=10)

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip().upper()
        if value not in ("DELETE", "SUPPRIMER"):
            raise forms.ValidationError(_("Type DELETE to confirm."))
        return value
