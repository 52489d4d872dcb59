"""OpenID Connect sign-in, end to end: a real provider in a subprocess, Cartable on live_server.

Both servers listen on 127.0.0.1 (different ports); a ``requests.Session`` plays the browser
and follows the redirects from one origin to the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cartable.accounts.actions import check_can_create_group
from cartable.accounts.models import User
from cartable.settings import oidc_socialaccount_providers
from cartable.testing.oidc_provider.server import running_provider

PROVIDER_ID = "ac-lyon"
CLIENT_ID = "cartable"
CLIENT_SECRET = "a-secret-shared-with-the-test-provider"
PASSWORD = "provider password"

NADIA = {
    "username": "nadia",
    "password": PASSWORD,
    "claims": {
        "email": "nadia.roux@jean-moulin.ac-lyon.fr",
        "email_verified": True,
        "given_name": "Nadia",
        "family_name": "Roux",
        "preferred_username": "nroux",
        "uai": "0691234A",
        "profile": "teacher",
    },
}
# Students of an academy's SSO usually have no e-mail address.
LEA = {
    "username": "lea",
    "password": PASSWORD,
    "claims": {
        "given_name": "Léa",
        "family_name": "Petit",
        "preferred_username": "lpetit",
        "uai": "0691234A",
        "profile": "student",
    },
}
# Same address as the ``teacher`` persona, who already has an account.
CLAIRE = {
    "username": "claire",
    "password": PASSWORD,
    "claims": {
        "email": "claire.martin@jean-moulin.ac-lyon.fr",
        "email_verified": True,
        "given_name": "Claire",
        "family_name": "Martin",
        "preferred_username": "claire",
        "uai": "0691234A",
        "profile": "teacher",
    },
}

# A provider that does not vouch for the address.
MARC = {
    "username": "marc",
    "password": PASSWORD,
    "claims": {
        "email": "marc.blanc@jean-moulin.ac-lyon.fr",
        "email_verified": False,
        "given_name": "Marc",
        "family_name": "Blanc",
        "uai": "0691234A",
        "profile": "teacher",
    },
}


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    callback = live_server.url + reverse(
        "openid_connect_callback", kwargs={"provider_id": PROVIDER_ID}
    )
    with running_provider(
        clients=[
            {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [callback]}
        ],
        users=[NADIA, LEA, CLAIRE, MARC],
        workdir=tmp_path_factory.mktemp("oidc-provider"),
    ) as provider:
        yield provider


def configure_cartable(settings, provider, **overrides):
    """What an administrator would put in CARTABLE_OIDC_PROVIDERS, applied to the running app."""
    conf = {
        "id": PROVIDER_ID,
        "name": "Académie de Lyon",
        "server_url": provider.issuer,
        "client_id": CLIENT_ID,
        "secret": CLIENT_SECRET,
        "claims": {"structure": "uai", "role": "profile"},
        "staff_values": ["teacher"],
        **overrides,
    }
    # allauth reads both at request time, so the live server thread sees them.
    settings.OIDC_PROVIDERS = [conf]
    settings.SOCIALACCOUNT_PROVIDERS = oidc_socialaccount_providers([conf])


@pytest.fixture
def cartable_oidc(settings, oidc_provider):
    configure_cartable(settings, oidc_provider)
    return oidc_provider


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._current = Form(action=attributes.get("action") or "")
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attributes.get("name"):
            self._current.fields[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def find_form(html: str, action_prefix: str = "") -> Form:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form.action.startswith(action_prefix) and "csrfmiddlewaretoken" in form.fields:
            return form
    raise AssertionError(f"no form posting to {action_prefix!r} in:\n{html}")


def new_browser() -> requests.Session:
    browser = requests.Session()
    browser.headers["Accept-Language"] = "en"
    return browser


def sign_in(live_server, provider, user, *, login_url=None):
    """Click the provider's button on Cartable's sign-in page, then sign in at the provider."""
    browser = new_browser()
    page = browser.get(live_server.url + (login_url or reverse("account_login")), timeout=10)
    assert page.status_code == 200
    button = find_form(
        page.text, reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID})
    )
    at_provider = browser.post(urljoin(page.url, button.action), data=button.fields, timeout=10)
    assert at_provider.status_code == 200
    assert at_provider.url.startswith(f"{provider.url}/login/"), at_provider.url
    login = find_form(at_provider.text)
    back = browser.post(
        urljoin(at_provider.url, login.action),
        data={**login.fields, "username": user["username"], "password": user["password"]},
        timeout=10,
    )
    return browser, back


def test_teacher_first_sign_in_creates_a_staff_account_in_the_claimed_school(
    live_server, cartable_oidc, school
):
    browser, response = sign_in(live_server, cartable_oidc, NADIA)

    assert response.status_code == 200, response.text
    assert response.url == live_server.url + reverse("portal:dashboard")
    assert "Nadia Roux" in response.text
    # The redirects went for real from Cartable to the provider and back.
    visited = [r.url for r in response.history]
    assert any(u.startswith(f"{cartable_oidc.url}/o/authorize/") for u in visited)
    assert any(
        u.startswith(live_server.url + f"/accounts/oidc/{PROVIDER_ID}/login/callback/")
        for u in visited
    )
    user = User.objects.get(email="nadia.roux@jean-moulin.ac-lyon.fr")
    assert user.kind == User.Kind.STAFF
    assert user.structure == school
    assert user.display_name == "Nadia Roux"
    assert user.username == "nroux"
    assert not user.has_usable_password()
    assert user.emailaddress_set.get().verified
    account = SocialAccount.objects.get(user=user)
    assert account.provider == PROVIDER_ID
    check_can_create_group(user)


def test_second_sign_in_reuses_the_account(live_server, cartable_oidc, school):
    sign_in(live_server, cartable_oidc, NADIA)
    _browser, response = sign_in(live_server, cartable_oidc, NADIA)

    assert response.status_code == 200
    assert "Nadia Roux" in response.text
    assert User.objects.filter(email="nadia.roux@jean-moulin.ac-lyon.fr").count() == 1
    assert SocialAccount.objects.count() == 1


def test_student_claim_gives_a_student_account_without_staff_rights(
    live_server, cartable_oidc, school
):
    browser, response = sign_in(live_server, cartable_oidc, LEA)

    assert response.status_code == 200, response.text
    assert response.url == live_server.url + reverse("portal:dashboard")
    assert "Léa Petit" in response.text
    user = User.objects.get(socialaccount__provider=PROVIDER_ID)
    assert user.kind == User.Kind.STUDENT
    assert user.structure == school
    assert user.email == ""
    with pytest.raises(PermissionDenied):
        check_can_create_group(user)


def test_claims_are_read_from_the_id_token_when_userinfo_is_not_fetched(
    live_server, oidc_provider, settings, school
):
    configure_cartable(settings, oidc_provider, fetch_userinfo=False)

    _browser, response = sign_in(live_server, oidc_provider, LEA)

    assert response.status_code == 200, response.text
    user = User.objects.get(socialaccount__provider=PROVIDER_ID)
    assert set(user.socialaccount_set.get().extra_data) == {"id_token"}
    assert user.kind == User.Kind.STUDENT
    assert user.structure == school
    assert user.display_name == "Léa Petit"


def test_existing_staff_account_with_the_same_verified_address_is_connected(
    live_server, cartable_oidc, teacher
):
    users_before = User.objects.count()

    _browser, response = sign_in(live_server, cartable_oidc, CLAIRE)

    assert response.status_code == 200, response.text
    assert "Claire Martin" in response.text
    assert User.objects.count() == users_before
    account = SocialAccount.objects.get(provider=PROVIDER_ID)
    assert account.user == teacher
    teacher.refresh_from_db()
    assert teacher.has_usable_password()


def test_unverified_address_is_checked_by_code_before_signing_in(
    live_server, cartable_oidc, school, mailoutbox
):
    browser, response = sign_in(live_server, cartable_oidc, MARC)

    assert response.url == live_server.url + reverse("account_email_verification_sent")
    assert mailoutbox[-1].to == ["marc.blanc@jean-moulin.ac-lyon.fr"]
    code = re.search(
        r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", mailoutbox[-1].body, re.MULTILINE
    )
    assert code, mailoutbox[-1].body
    form = find_form(response.text, reverse("account_email_verification_sent"))
    response = browser.post(
        urljoin(response.url, form.action), data={**form.fields, "code": code.group(1)}, timeout=10
    )

    assert response.url == live_server.url + reverse("portal:dashboard")
    assert "Marc Blanc" in response.text
    assert (
        User.objects.get(email="marc.blanc@jean-moulin.ac-lyon.fr").emailaddress_set.get().verified
    )


def test_sign_in_returns_to_the_page_first_asked_for(live_server, cartable_oidc, school):
    groups = reverse("accounts:groups")
    login_url = f"{reverse('account_login')}?next={groups}"

    _browser, response = sign_in(live_server, cartable_oidc, NADIA, login_url=login_url)

    assert response.status_code == 200, response.text
    assert response.url == live_server.url + groups


def test_wrong_client_secret_ends_on_a_clear_error_page_without_an_account(
    live_server, oidc_provider, settings, school, caplog
):
    configure_cartable(settings, oidc_provider, secret="not-the-right-secret")

    browser, response = sign_in(live_server, oidc_provider, NADIA)

    assert response.url.startswith(
        live_server.url + f"/accounts/oidc/{PROVIDER_ID}/login/callback/"
    )
    assert response.status_code == 401
    assert "Sign-in failed" in response.text
    assert "Signing in with Académie de Lyon did not work" in response.text
    assert f"OpenID Connect sign-in through {PROVIDER_ID} failed" in caplog.text
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
    dashboard = browser.get(
        live_server.url + reverse("portal:dashboard"), allow_redirects=False, timeout=10
    )
    assert dashboard.status_code == 302
    assert reverse("account_login") in dashboard.headers["Location"]


def test_sign_in_page_shows_one_button_per_provider(live_server, cartable_oidc):
    page = new_browser().get(live_server.url + reverse("account_login"), timeout=10)

    assert "Sign in with Académie de Lyon" in page.text


def test_every_sign_in_brings_the_claimed_school_up_to_date(
    live_server, cartable_oidc, school, other_school
):
    sign_in(live_server, cartable_oidc, NADIA)
    user = User.objects.get(email="nadia.roux@jean-moulin.ac-lyon.fr")
    # What a change of school at the provider looks like from here: our record is stale.
    User.objects.filter(pk=user.pk).update(structure=other_school, kind=User.Kind.STUDENT)

    sign_in(live_server, cartable_oidc, NADIA)

    user.refresh_from_db()
    assert user.structure == school
    assert user.kind == User.Kind.STAFF
