from __future__ import annotations

from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.accounts import actions
from cartable.accounts.access import access_group
from cartable.accounts.forms import (
    AppPasswordForm,
    CoTeacherForm,
    GroupForm,
    GroupSettingsForm,
    InvitationForm,
    JoinCodeForm,
    NewStudentForm,
    ProfileForm,
    StudentPasswordForm,
)
from cartable.accounts.models import Group, Invitation, Membership, User
from cartable.core.http import serves_user_bytes, storage_response
from cartable.core.registry import registry
from cartable.core.types import AuthedRequest


def _form_errors(form: BaseForm, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@login_required
def groups(request: AuthedRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = actions.create_group(
                request.user,
                form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("“%(name)s” is created. Invite your students with a code.")
                % {"name": group.name},
            )
            return redirect(group)
    memberships = (
        Membership.objects.filter(user=request.user).select_related("group").order_by("group__name")
    )
    return render(
        request,
        "accounts/groups.html",
        {
            "memberships": memberships,
            "form": form,
            "can_create": request.user.is_staff_member or request.user.is_superuser,
        },
    )


@login_required
def group_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    group = access_group(request.user, public_id)
    role = actions.group_role(request.user, group)
    can_manage = request.user.is_superuser or role in ("owner", "manager")
    context: dict[str, Any] = {
        "group": group,
        "role": role,
        "can_manage": can_manage,
        "members": group.memberships.select_related("user")
        .alias(rank=Case(When(role="owner", then=0), When(role="manager", then=1), default=2))
        .order_by("rank", "user__display_name", "user__username"),
        "sections": class_sections(request.user, group),
    }
    if can_manage:
        context["invitations"] = group.invitations.filter(revoked_at__isnull=True)
        context["invitation_form"] = InvitationForm()
        context["co_teacher_form"] = CoTeacherForm()
    return render(request, "accounts/group_detail.html", context)


def class_sections(user: User, group: Group) -> list[dict[str, Any]]:
    """What the class has in each tool, from the tools' registered sections: the class page
    is the class's hub without knowing any tool."""
    sections = []
    for section in registry.ordered_class_sections():
        content = section.content(user, group)
        if content is not None:
            sections.append({"key": section.key, "title": section.title, "content": content})
    return sections


@login_required
def group_settings(request: AuthedRequest, public_id: str) -> HttpResponse:
    group = access_group(request.user, public_id, need="manage")
    form = GroupSettingsForm(
        request.POST or None, initial={"name": group.name, "description": group.description}
    )
    if request.method == "POST":
        if request.POST.get("action") in ("archive", "unarchive"):
            actions.archive_group(
                group, by=request.user, archived=request.POST["action"] == "archive"
            )
            messages.success(request, _("Saved."))
            return redirect(group)
        if form.is_valid():
            try:
                actions.update_group(
                    group,
                    by=request.user,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(group)
    return render(request, "accounts/group_settings.html", {"group": group, "form": form})


@login_required
@require_POST
def group_invite(request: AuthedRequest, public_id: str) -> HttpResponse:
    group = access_group(request.user, public_id, need="manage")
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = actions.create_invitation(
                group,
                by=request.user,
                days=form.cleaned_data["days"],
                max_uses=form.cleaned_data["max_uses"],
            )
            messages.success(request, _("New code: %(code)s") % {"code": invitation.display_code})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Check the duration and the member limit."))
    return redirect(group)


@login_required
@require_POST
def invitation_revoke(request: AuthedRequest, public_id: str, code: str) -> HttpResponse:
    group = access_group(request.user, public_id, need="manage")
    invitation = get_object_or_404(Invitation, group=group, code=code)
    actions.revoke_invitation(invitation, by=request.user)
    messages.success(
        request, _("The code %(code)s no longer works.") % {"code": invitation.display_code}
    )
    return redirect(group)


@login_required
@require_POST
def group_add_co_teacher(request: AuthedRequest, public_id: str) -> HttpResponse:
    group = access_group(request.user, public_id, need="manage")
    form = CoTeacherForm(request.POST)
    if form.is_valid():
        try:
            actions.add_co_teacher(group, form.cleaned_data["email"], by=request.user)
            messages.success(request, _("Co-teacher added."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Enter a valid e-mail address."))
    return redirect(group)


@login_required
@require_POST
def group_remove_member(request: AuthedRequest, public_id: str, user_id: str) -> HttpResponse:
    group = access_group(request.user, public_id)
    member = get_object_or_404(User, public_id=user_id)
    try:
        actions.remove_member(group, member, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(group)
    if member.pk == request.user.pk:
        messages.success(request, _("You left %(name)s.") % {"name": group.name})
        return redirect("accounts:groups")
    messages.success(request, _("%(name)s was removed from the group.") % {"name": member})
    return redirect(group)


@login_required
def student_password(request: AuthedRequest, public_id: str, user_id: str) -> HttpResponse:
    group = access_group(request.user, public_id, need="manage")
    student = get_object_or_404(User, public_id=user_id, memberships__group=group)
    form = StudentPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reset_student_password(student, form.cleaned_data["password"], by=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("New password set for %(name)s.") % {"name": student})
            return redirect(group)
    return render(
        request,
        "accounts/student_password.html",
        {"group": group, "student": student, "form": form},
    )


def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """Join a class by code: a signed-in user joins at once; a newcomer creates a student account."""
    code = code or request.GET.get("code", "")
    code_form = JoinCodeForm(initial={"code": code})
    invitation: Invitation | None = None
    error, status = "", 200
    if code:
        try:
            invitation = actions.find_invitation(code, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 429 if exc.code == "limited" else 404
    if invitation is None:
        return render(
            request, "accounts/join_code.html", {"form": code_form, "error": error}, status=status
        )
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                group = actions.join_with_code(request.user, invitation.code)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("accounts:join")
            messages.success(request, _("Welcome to %(name)s!") % {"name": group.name})
            return redirect(group)
        return render(request, "accounts/join_confirm.html", {"invitation": invitation})
    form = NewStudentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            student = actions.join_as_new_student(
                invitation.code,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            login(request, student, backend="cartable.accounts.backends.AuthenticationBackend")
            messages.success(
                request,
                _("Welcome to %(name)s! Remember your user name: %(username)s")
                % {"name": invitation.group.name, "username": student.username},
            )
            return redirect(invitation.group)
    return render(
        request, "accounts/join_new_student.html", {"invitation": invitation, "form": form}
    )


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "display_name": user.display_name,
            "language": user.language,
            "email_notifications": user.email_notifications,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_profile(
                user,
                avatar=form.cleaned_data.get("avatar"),
                **{
                    k: form.cleaned_data[k]
                    for k in ("display_name", "language", "email_notifications", "clear_avatar")
                },
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            response = redirect("accounts:profile")
            if user.language:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    samesite="Lax",
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                )
            messages.success(request, _("Your profile is saved."))
            return response
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def app_passwords(request: AuthedRequest) -> HttpResponse:
    form = AppPasswordForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        _app_password, created = actions.create_app_password(
            request.user, form.cleaned_data["name"], request=request
        )
        form = AppPasswordForm()
    return render(
        request,
        "accounts/app_passwords.html",
        {
            "form": form,
            "created": created,
            "app_passwords": request.user.app_passwords.all(),
            "server": request.build_absolute_uri("/").rstrip("/"),
        },
    )


@login_required
@require_POST
def app_password_revoke(request: AuthedRequest, public_id: str) -> HttpResponse:
    actions.revoke_app_password(request.user, public_id, request=request)
    messages.success(request, _("The app password is revoked: devices using it are signed out."))
    return redirect("accounts:app_passwords")


@login_required
@serves_user_bytes
def avatar(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    owner = get_object_or_404(User, public_id=public_id, is_active=True)
    if not owner.avatar:
        raise Http404
    return storage_response(request, owner.avatar.name, inline=True)


@login_required
def security(request: AuthedRequest) -> HttpResponse:
    sessions = UserSession.objects.filter(user=request.user).order_by("-last_seen_at")
    return render(
        request,
        "accounts/security.html",
        {
            "sessions": sessions,
            "app_passwords": request.user.app_passwords.all(),
            "has_password": request.user.has_usable_password(),
        },
    )
