"""Who may speak WebDAV: app passwords over Basic, a browser session with its CSRF token."""

import requests

from cartable.testing.servers import run_cartable


def test_no_credentials_get_a_basic_challenge(live):
    response = requests.request("PROPFIND", f"{live.url}/remote.php/webdav/", timeout=10)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="Cartable"')


def test_wrong_app_password_is_refused(live, server_info):
    response = requests.request(
        "PROPFIND",
        f"{live.url}/remote.php/webdav/",
        auth=("claire", "aaaaa-bbbbb-ccccc-ddddd-eeeee"),
        headers={"Depth": "0"},
        timeout=10,
    )
    assert response.status_code == 401


def test_app_password_signs_in_with_user_name_or_email(live, server_info):
    password = server_info["passwords"]["claire"]
    for login in ("claire", "claire.martin@jean-moulin.ac-lyon.fr"):
        response = requests.request(
            "PROPFIND",
            f"{live.url}/remote.php/webdav/",
            auth=(login, password),
            headers={"Depth": "0"},
            timeout=10,
        )
        assert response.status_code == 207, login


def test_other_teacher_cannot_use_teachers_files_url(live, other_teacher_dav):
    response = other_teacher_dav.request(
        "PROPFIND", f"{live.url}/remote.php/dav/files/claire/", headers={"Depth": "0"}
    )
    assert response.status_code == 403


def test_student_cannot_use_teachers_files_url_even_for_a_put(live, student_dav):
    response = student_dav.request(
        "PUT", f"{live.url}/remote.php/dav/files/claire/intrus.txt", data=b"x"
    )
    assert response.status_code == 403


def test_revoked_app_password_stops_working_at_once(live, server_info):
    env = server_info["env"]
    out = run_cartable(env, "apppassword", "create", "paul", "--name", "revoked")
    password = out.strip().splitlines()[-1]
    url = f"{live.url}/remote.php/webdav/"
    ok = requests.request(
        "PROPFIND", url, auth=("paul", password), headers={"Depth": "0"}, timeout=10
    )
    assert ok.status_code == 207
    run_cartable(
        env,
        "manage",
        "shell",
        "-c",
        "from cartable.accounts.models import AppPassword;"
        "AppPassword.objects.filter(user__username='paul', name='revoked').delete()",
    )
    again = requests.request(
        "PROPFIND", url, auth=("paul", password), headers={"Depth": "0"}, timeout=10
    )
    assert again.status_code == 401


def test_browser_session_needs_its_csrf_token(live, server_info):
    env = server_info["env"]
    script = (
        "from django.test import Client; from cartable.accounts.models import User;"
        "c = Client(); c.force_login(User.objects.get(username='claire'),"
        " backend='cartable.accounts.backends.AuthenticationBackend');"
        "print('SESSION=' + c.cookies['sessionid'].value)"
    )
    out = run_cartable(env, "manage", "shell", "-c", script)
    session_id = next(x for x in out.splitlines() if x.startswith("SESSION=")).split("=", 1)[1]
    browser = requests.Session()
    browser.cookies.set("sessionid", session_id)
    page = browser.get(f"{live.url}/accounts/login/", timeout=10)
    token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    url = f"{live.url}/remote.php/webdav/"
    without = browser.request("PROPFIND", url, headers={"Depth": "0"}, timeout=10)
    assert without.status_code == 401
    with_token = browser.request(
        "PROPFIND", url, headers={"Depth": "0", "requesttoken": token}, timeout=10
    )
    assert with_token.status_code == 207
    wrong = browser.request(
        "PROPFIND", url, headers={"Depth": "0", "requesttoken": "x" * 64}, timeout=10
    )
    assert wrong.status_code == 401
    # Another site's page holding the token (it cannot, but if it did) is still refused.
    foreign = browser.request(
        "PROPFIND",
        url,
        headers={"Depth": "0", "requesttoken": token, "Origin": "http://evil.example"},
        timeout=10,
    )
    assert foreign.status_code == 401
    same_site = browser.request(
        "PROPFIND",
        url,
        headers={"Depth": "0", "requesttoken": token, "Origin": live.url},
        timeout=10,
    )
    assert same_site.status_code == 207


def test_failed_attempts_are_limited_per_account(live):
    url = f"{live.url}/remote.php/webdav/"
    statuses = [
        requests.request(
            "PROPFIND",
            url,
            auth=("ahmed.nobody", f"aaaaa-bbbbb-ccccc-ddddd-{n:05d}"),
            headers={"Depth": "0"},
            timeout=10,
        ).status_code
        for n in range(22)
    ]
    assert statuses[0] == 401
    assert statuses[-1] == 429


def test_small_put_signs_in_in_its_single_hop(live, server_info):
    """A small PUT is read whole, then signed in with its store (one thread hop): a wrong
    password is still refused before anything is stored, another's folder still forbidden."""
    url = f"{live.url}/remote.php/dav/files/claire/small-auth.txt"
    session = requests.Session()
    refused = session.put(
        url, data=b"x" * 100, auth=("claire", "aaaaa-bbbbb-ccccc-ddddd-eeeee"), timeout=10
    )
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith('Basic realm="Cartable"')
    password = server_info["passwords"]["claire"]
    assert session.get(url, auth=("claire", password), timeout=10).status_code == 404
    # The same connection carries the next request (the refused body was read).
    stored = session.put(url, data=b"y" * 100, auth=("claire", password), timeout=10)
    assert stored.status_code == 201
    assert session.get(url, auth=("claire", password), timeout=10).content == b"y" * 100
    other = f"{live.url}/remote.php/dav/files/ahmed/small-auth.txt"
    assert session.put(other, data=b"z", auth=("claire", password), timeout=10).status_code == 403
