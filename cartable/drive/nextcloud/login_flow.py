"""Nextcloud's login flows, in the browser: the pages a client sends the user to.

v2 (desktop, iOS): ``POST /index.php/login/v2`` starts a flow; the client opens its ``login``
address in a browser and polls ``/index.php/login/v2/poll`` until the user has granted
access. v1 (Android): the app opens ``/index.php/login/flow`` in a web view and is handed
the app password by a redirection to ``nc://login/server:...&user:...&password:...``.
The state lives in the database (:class:`cartable.accounts.models.LoginFlow`), so that any
server may answer any step.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from cartable.accounts import login_flows
from cartable.accounts.models import LoginFlow
from cartable.core import limits
from cartable.core.net import client_ip
from cartable.drive.nextcloud.status import server_url


def _retry(refusal: limits.Limited) -> dict[str, str]:
    return {"Retry-After": str(refusal.retry_after)}


class NextcloudRedirect(HttpResponseRedirect):
    allowed_schemes = ["nc"]


@csrf_exempt
@require_POST
def start_v2(request: HttpRequest) -> JsonResponse:
    """Called by the client, not a browser: no session, no CSRF token."""
    flow, poll_token = login_flows.start_login_flow(
        request.headers.get("User-Agent", ""), address=client_ip(request)
    )
    server = server_url(request)
    return JsonResponse(
        {
            "poll": {"token": poll_token, "endpoint": f"{server}/index.php/login/v2/poll"},
            "login": f"{server}/index.php/login/v2/flow/{flow.login_token}",
        }
    )


@csrf_exempt
@require_POST
def poll_v2(request: HttpRequest) -> JsonResponse:
    token = request.POST.get("token", "")
    try:
        attempt = limits.check_attempt("login_flow", request=request)
    except limits.Limited as refusal:
        return JsonResponse([], status=429, safe=False, headers=_retry(refusal))
    result = login_flows.poll_login_flow(token)
    if result is None:
        if login_flows.is_pending(token):
            attempt.succeeded()  # a device waiting for its user: not a guess
        # Nextcloud answers an empty list with 404 until the user has granted access.
        return JsonResponse([], status=404, safe=False)
    attempt.succeeded()
    user, app_password = result
    return JsonResponse(
        {"server": server_url(request), "loginName": user.username, "appPassword": app_password}
    )


@require_http_methods(["GET", "HEAD"])
def start_v1(request: HttpRequest) -> HttpResponse:
    flow, _poll_token = login_flows.start_login_flow(
        request.headers.get("User-Agent", ""), kind=LoginFlow.Kind.V1, address=client_ip(request)
    )
    return redirect("nextcloud:login_flow_grant", login_token=flow.login_token)


@require_http_methods(["GET", "HEAD", "POST"])
def grant(request: HttpRequest, login_token: str) -> HttpResponse:
    """Sign in if needed, then "Connect an app to your account?"."""
    try:
        attempt = limits.check_attempt("login_flow", request=request)
    except limits.Limited as refusal:
        return HttpResponse(refusal.message, status=429, headers=_retry(refusal))
    flow = login_flows.find_login_flow(login_token)
    if flow is None:
        return render(request, "drive/login_flow_expired.html", status=404)
    attempt.succeeded()
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        # What the device says of itself is shown as such, beside what it cannot make up.
        return render(
            request, "drive/login_flow_grant.html", {"flow": flow, "here": client_ip(request)}
        )
    if request.POST.get("decision") != "grant":
        login_flows.deny_login_flow(flow)
        return render(request, "drive/login_flow_done.html", {"flow": flow, "granted": False})
    app_password = login_flows.grant_login_flow(flow, request.user, request=request)  # type: ignore[arg-type]
    if app_password is not None:
        return NextcloudRedirect(
            f"nc://login/server:{server_url(request)}"
            f"&user:{quote(request.user.get_username(), safe='')}"
            f"&password:{quote(app_password, safe='')}"
        )
    return render(request, "drive/login_flow_done.html", {"flow": flow, "granted": True})
