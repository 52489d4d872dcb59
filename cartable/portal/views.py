from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.core import privacy
from cartable.core.http import serves_user_bytes, storage_response
from cartable.core.models import DailyActivity, DataExport
from cartable.core.navigation import safe_next
from cartable.core.notifications import mark_read
from cartable.core.registry import registry
from cartable.core.search import search as run_search
from cartable.core.types import AuthedRequest
from cartable.portal import actions, content
from cartable.portal.forms import ContributionForm, DeleteAccountForm, TriageForm
from cartable.portal.models import Contribution

LEGAL_PAGES = ("privacy", "terms", "accessibility")


def tools() -> list[dict[str, Any]]:
    """The tools that are installed (those that registered a line), with their address."""
    return [
        {
            "key": tool.key,
            "name": tool.name,
            "description": tool.description,
            "url": reverse(tool.url_name),
            "icon": tool.icon,
        }
        for tool in registry.ordered_tools()
    ]


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return render(request, "portal/home.html", {"tools": tools()})


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    cards = [
        {"card": card, "items": list(card.items(request.user)) if card.items else []}
        for card in registry.ordered_cards()
    ]
    notifications = request.user.notifications.all()[:5]
    return render(
        request, "portal/dashboard.html", {"cards": cards, "notifications": notifications}
    )


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = run_search(request.user, query) if query else {}
    sections = [
        {"provider": registry.search[key], "results": found} for key, found in results.items()
    ]
    return render(
        request,
        "portal/search.html",
        {"query": query, "sections": sections, "searched": bool(query)},
    )


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        mark_read(request.user)
        messages.success(request, _("All notifications are marked as read."))
        return redirect("portal:notifications")
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page})


@login_required
def notification_open(request: AuthedRequest, public_id: str) -> HttpResponse:
    notification = get_object_or_404(request.user.notifications, public_id=public_id)
    mark_read(request.user, [str(notification.public_id)])
    target = notification.url if notification.url.startswith("/") else "/"
    return redirect(target)


def guide(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/guide_index.html",
        {"pages": content.pages("guide", get_language() or "fr")},
    )


def guide_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = content.page("guide", slug, get_language() or "fr")
    if page is None:
        raise Http404
    others = [p for p in content.pages("guide", page.language) if p.slug != slug]
    return render(request, "portal/page.html", {"page": page, "others": others, "section": "guide"})


def legal(request: HttpRequest, slug: str) -> HttpResponse:
    page = content.page("legal", slug, get_language() or "fr") if slug in LEGAL_PAGES else None
    if page is None:
        raise Http404
    return render(request, "portal/page.html", {"page": page, "section": "legal"})


@login_required
def contributions(request: AuthedRequest) -> HttpResponse:
    form = ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.send_contribution(request.user, **form.cleaned_data)
        messages.success(request, _("Thank you! Your suggestion is sent to the team."))
        return redirect("portal:contributions")
    mine = Contribution.objects.filter(author=request.user)
    answered = (
        Contribution.objects.exclude(answer="")
        .select_related("academy")
        .order_by("-answered_at")[:30]
    )
    return render(
        request, "portal/contributions.html", {"form": form, "mine": mine, "answered": answered}
    )


@login_required
def contributions_triage(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    status = request.GET.get("status", Contribution.Status.NEW)
    items = Contribution.objects.select_related("author", "academy")
    if status != "all":
        items = items.filter(status=status)
    counts = dict(Contribution.objects.values_list("status").annotate(n=Count("id")))
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    forms = [(c, TriageForm(instance=c, prefix=str(c.public_id))) for c in page]
    return render(
        request,
        "portal/triage.html",
        {
            "page": page,
            "forms": forms,
            "status": status,
            "statuses": [(v, label, counts.get(v, 0)) for v, label in Contribution.Status.choices],
        },
    )


@login_required
@require_POST
def contribution_answer(request: AuthedRequest, public_id: str) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    contribution = get_object_or_404(Contribution, public_id=public_id)
    form = TriageForm(request.POST, instance=contribution, prefix=str(public_id))
    if form.is_valid():
        actions.answer_contribution(
            contribution,
            by=request.user,
            status=form.cleaned_data["status"],
            answer=form.cleaned_data["answer"],
        )
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Check the status and the answer."))
    return redirect(safe_next(request, "portal:triage"))


@login_required
def privacy_center(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "export":
            privacy.request_export(request.user)
            messages.success(
                request, _("Your export is being prepared. You will be notified when it is ready.")
            )
        elif action == "cancel_deletion":
            privacy.cancel_deletion(request.user, request=request)
            messages.success(request, _("Your account will not be deleted."))
        return redirect("portal:privacy_center")
    deletion_due = None
    if request.user.deletion_requested_at:
        deletion_due = request.user.deletion_requested_at + timedelta(
            days=settings.ACCOUNT_DELETION_GRACE_DAYS
        )
    return render(
        request,
        "portal/privacy_center.html",
        {
            "exports": request.user.exports.all()[:5],
            "deletion_due": deletion_due,
            "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
            "delete_form": DeleteAccountForm(),
        },
    )


@login_required
@serves_user_bytes
def export_download(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    export = get_object_or_404(
        DataExport, public_id=public_id, user=request.user, status=DataExport.Status.READY
    )
    return storage_response(
        request, export.file_name, filename=f"cartable-{timezone.localdate()}.zip"
    )


@login_required
def delete_account(request: AuthedRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        due = privacy.request_deletion(request.user, request=request)
        messages.warning(
            request,
            _("Your account will be deleted on %(date)s. You can cancel until then.")
            % {"date": timezone.localdate(due)},
        )
        return redirect("portal:privacy_center")
    return render(
        request,
        "portal/delete_account.html",
        {"form": form, "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS},
    )


@login_required
def stats(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    user_model = get_user_model()
    today = timezone.localdate()
    since = today - timedelta(days=29)
    daily = dict(
        DailyActivity.objects.filter(day__gte=since)
        .values_list("day")
        .annotate(n=Count("user_id", distinct=True))
    )
    days = [(since + timedelta(days=i), daily.get(since + timedelta(days=i), 0)) for i in range(30)]
    peak = max((n for _d, n in days), default=0) or 1
    accounts = dict(
        user_model.objects.filter(is_active=True).values_list("kind").annotate(n=Count("id"))
    )
    counters = [(card.title, card.counter()) for card in registry.ordered_cards() if card.counter]
    return render(
        request,
        "portal/stats.html",
        {
            "accounts": accounts,
            "total": sum(accounts.values()),
            "days": [(d, n, round(100 * n / peak)) for d, n in days],
            "dau": daily.get(today, 0),
            "wau": DailyActivity.objects.filter(day__gt=today - timedelta(days=7))
            .values("user_id")
            .distinct()
            .count(),
            "mau": DailyActivity.objects.filter(day__gte=since)
            .values("user_id")
            .distinct()
            .count(),
            "counters": counters,
            "contributions": Contribution.objects.filter(status=Contribution.Status.NEW).count(),
        },
    )
