"""COPY and MOVE: Overwrite, Depth, destinations that do not fit."""


def dest(dav, path):
    return {"Destination": dav.url(path)}


def test_copy_and_move_a_folder(teacher_dav, folder):
    teacher_dav.mkcol(f"{folder}/src")
    teacher_dav.put(f"{folder}/src/a.txt", b"a")
    assert (
        teacher_dav.request(
            "COPY", f"{folder}/src", headers=dest(teacher_dav, f"{folder}/copy")
        ).status_code
        == 201
    )
    assert teacher_dav.get(f"{folder}/copy/a.txt").content == b"a"
    assert (
        teacher_dav.request(
            "MOVE", f"{folder}/src", headers=dest(teacher_dav, f"{folder}/moved")
        ).status_code
        == 201
    )
    assert teacher_dav.get(f"{folder}/src/a.txt").status_code == 404
    assert teacher_dav.get(f"{folder}/moved/a.txt").content == b"a"


def test_overwrite_false_and_true(teacher_dav, folder):
    teacher_dav.put(f"{folder}/a.txt", b"a")
    teacher_dav.put(f"{folder}/b.txt", b"b")
    headers = {**dest(teacher_dav, f"{folder}/b.txt"), "Overwrite": "F"}
    assert teacher_dav.request("MOVE", f"{folder}/a.txt", headers=headers).status_code == 412
    headers["Overwrite"] = "T"
    assert teacher_dav.request("MOVE", f"{folder}/a.txt", headers=headers).status_code == 204
    assert teacher_dav.get(f"{folder}/b.txt").content == b"a"


def test_shallow_copy_of_a_folder(teacher_dav, folder):
    teacher_dav.mkcol(f"{folder}/src")
    teacher_dav.put(f"{folder}/src/a.txt", b"a")
    headers = {**dest(teacher_dav, f"{folder}/shallow"), "Depth": "0"}
    assert teacher_dav.request("COPY", f"{folder}/src", headers=headers).status_code == 201
    assert teacher_dav.propfind(f"{folder}/shallow").status_code == 207
    assert teacher_dav.get(f"{folder}/shallow/a.txt").status_code == 404


def test_destination_elsewhere_is_refused(live, teacher_dav, folder):
    teacher_dav.put(f"{folder}/a.txt", b"a")
    foreign = {"Destination": "http://example.org/remote.php/dav/files/claire/x"}
    assert teacher_dav.request("COPY", f"{folder}/a.txt", headers=foreign).status_code == 502
    other_user = {"Destination": f"{live.url}/remote.php/dav/files/paul/x.txt"}
    assert teacher_dav.request("COPY", f"{folder}/a.txt", headers=other_user).status_code == 502
    escape = {"Destination": f"{live.url}/remote.php/dav/files/claire/{folder}/../../paul"}
    assert teacher_dav.request("MOVE", f"{folder}/a.txt", headers=escape).status_code in (400, 502)
    missing = dest(teacher_dav, f"{folder}/none/a.txt")
    assert teacher_dav.request("COPY", f"{folder}/a.txt", headers=missing).status_code == 409


def test_student_cannot_move_files_out_of_the_class_folder(teacher_dav, student_dav):
    assert teacher_dav.put("4e B/consignes.txt", b"lire").status_code in (201, 204)
    answer = student_dav.request(
        "MOVE", "4e B/consignes.txt", headers=dest(student_dav, "consignes.txt")
    )
    assert answer.status_code == 403
    assert teacher_dav.get("4e B/consignes.txt").status_code == 200
