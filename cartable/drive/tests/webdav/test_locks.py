"""LOCK and UNLOCK: exclusive locks keep others' changes out until unlocked."""

LOCKINFO = """<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/>
</d:lockscope><d:locktype><d:write/></d:locktype><d:owner>claire</d:owner></d:lockinfo>"""


def test_locked_file_needs_its_token(teacher_dav, folder):
    teacher_dav.put(f"{folder}/l.txt", b"l")
    lock = teacher_dav.request("LOCK", f"{folder}/l.txt", data=LOCKINFO.encode())
    assert lock.status_code == 200
    token = lock.headers["Lock-Token"]
    assert teacher_dav.put(f"{folder}/l.txt", b"x").status_code == 423
    assert teacher_dav.request("DELETE", f"{folder}/l.txt").status_code == 423
    assert teacher_dav.put(f"{folder}/l.txt", b"y", headers={"If": f"({token})"}).status_code == 204
    assert (
        teacher_dav.request("UNLOCK", f"{folder}/l.txt", headers={"Lock-Token": token}).status_code
        == 204
    )
    assert teacher_dav.put(f"{folder}/l.txt", b"z").status_code == 204


def test_locking_an_unmapped_url_creates_an_empty_file(teacher_dav, folder):
    lock = teacher_dav.request("LOCK", f"{folder}/new.txt", data=LOCKINFO.encode())
    assert lock.status_code == 201
    assert teacher_dav.get(f"{folder}/new.txt").content == b""


def test_student_cannot_lock_a_class_file(teacher_dav, student_dav):
    teacher_dav.put("4e B/a-verrouiller.txt", b"x")
    answer = student_dav.request("LOCK", "4e B/a-verrouiller.txt", data=LOCKINFO.encode())
    assert answer.status_code == 403
