"""Nobody leaves their own view: other users' files, traversal, class roles."""

import http.client
from base64 import b64encode


def raw_status(live, password_user, password, method, path):
    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
    credentials = b64encode(f"{password_user}:{password}".encode()).decode()
    connection.putrequest(method, path, skip_accept_encoding=True)
    connection.putheader("Authorization", f"Basic {credentials}")
    connection.putheader("Depth", "1")
    connection.putheader("Content-Length", "0")
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_traversal_in_any_spelling_is_refused(live, server_info):
    password = server_info["passwords"]["paul"]
    for path in (
        "/remote.php/dav/files/paul/../claire/",
        "/remote.php/dav/files/paul/%2e%2e/claire/",
        "/remote.php/dav/files/paul/..%2Fclaire/",
        "/remote.php/webdav/%2E%2E/%2E%2E/",
        "/remote.php/webdav/a%00b",
    ):
        assert raw_status(live, "paul", password, "PROPFIND", path) in (400, 403, 404), path


def test_other_teacher_does_not_see_teachers_files(teacher_dav, other_teacher_dav, folder):
    teacher_dav.put(f"{folder}/secret.txt", b"s")
    assert other_teacher_dav.get(f"{folder}/secret.txt").status_code == 404
    assert folder not in other_teacher_dav.propfind("").text


def test_student_reads_but_cannot_write_the_class_folder(teacher_dav, student_dav):
    teacher_dav.put("4e B/lecon.txt", b"lecon")
    assert student_dav.get("4e B/lecon.txt").content == b"lecon"
    assert student_dav.put("4e B/lecon.txt", b"moi").status_code == 403
    assert student_dav.put("4e B/nouveau.txt", b"moi").status_code == 403
    assert student_dav.request("DELETE", "4e B/lecon.txt").status_code == 403
    assert student_dav.mkcol("4e B/dossier").status_code == 403
    assert teacher_dav.get("4e B/lecon.txt").content == b"lecon"


def test_student_writes_in_their_own_space(student_dav):
    assert student_dav.put("devoir.txt", b"ok").status_code in (201, 204)
