from __future__ import annotations

from collections.abc import Callable

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import ConfirmEmailVerificationCodeForm as AllauthEmailCodeForm
from allauth.account.forms import ConfirmLoginCodeForm as AllauthLoginCodeForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cartable.accounts.models import Group
from cartable.core import limits


class GroupForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=150, help_text=_("For example: 4e B — Histoire-géographie")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Group.Kind.choices, initial=Group.Kind.CLASS)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GroupSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InvitationForm(forms.Form):
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=365, initial=settings.INVITATION_DAYS
    )
    max_uses = forms.IntegerField(label=_("Member limit"), min_value=1, max_value=1000, initial=40)


class CoTeacherForm(forms.Form):
    email = forms.EmailField(label=_("Professional e-mail address of the co-teacher"))


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Class code"),
        # Sixteen symbols, and the dashes and spaces people type between them.
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class NewStudentForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your first name (as your teacher will see it)"), max_length=150
    )
    username = forms.CharField(
        label=_("Choose a user name"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Type the password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As my browser says")), *settings.LANGUAGES],
        required=False,
    )
    email_notifications = forms.BooleanField(
        label=_("Send my notifications by e-mail"), required=False
    )
    avatar = forms.ImageField(
        label=_("Avatar"), required=False, help_text=_("An image of at most 2 MB.")
    )
    clear_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)

    def clean_avatar(self):  # type: ignore[no-untyped-def]
        avatar = self.cleaned_data.get("avatar")
        if avatar and avatar.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The image is larger than 2 MB."))
        return avatar


class AppPasswordForm(forms.Form):
    name = forms.CharField(
        label=_("Device or application name"),
        max_length=100,
        help_text=_("For example: my laptop's Nextcloud client"),
    )


class StudentPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class LoginForm(AllauthLoginForm):
    """Sign-up needs no password (a code is e-mailed), but whoever has one may use it.

    An e-mail address with an empty password asks for a sign-in code instead.
    """

    def _setup_password_field(self) -> None:
        field = self.fields["password"]
        field.required = False
        field.help_text = _("Leave empty to receive a sign-in code by e-mail.")


def _limited_code(key: str, check: Callable[[], str]) -> str:
    """An e-mailed code, checked through the limiter (allauth also drops a code after three
    wrong tries, but a new one may be asked for: the limiter counts across codes)."""
    try:
        attempt = limits.check_attempt("email_code", key=key, request=context.request)
    except limits.Limited as refusal:
        raise forms.ValidationError(refusal.message, code="too_many_attempts") from None
    code = check()
    attempt.succeeded()
    return code


def _pending_email(request: HttpRequest) -> str:
    # allauth keeps the sign-in under way on the request (allauth.account.internal.decorators);
    # without it, the address block alone is counted.
    stage = getattr(request, "_login_stage", None)
    email = getattr(getattr(stage, "login", None), "email", None) or getattr(
        stage, "state", {}
    ).get("email")
    return str(email or "").lower()


class ConfirmLoginCodeForm(AllauthLoginCodeForm):
    def clean_code(self) -> str:
        key = _pending_email(context.request)
        return _limited_code(key and f"email:{key}", super().clean_code)


class ConfirmEmailVerificationCodeForm(AllauthEmailCodeForm):
    def clean_code(self) -> str:
        key = str(self.email or "").lower()
        return _limited_code(key and f"email:{key}", super().clean_code)


class ChangePasswordForm(AllauthChangePasswordForm):
    """The current password is checked through the limiter, in the same count as sign-ins."""

    def clean_oldpassword(self) -> str:
        try:
            attempt = limits.check_attempt(
                "password", key=f"user:{self.user.pk}", request=context.request
            )
        except limits.Limited as refusal:
            raise forms.ValidationError(refusal.message, code="too_many_attempts") from None
        password = str(super().clean_oldpassword())
        attempt.succeeded()
        return password
