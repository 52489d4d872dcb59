import io
import zipfile
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from cartable.accounts.actions import set_member
from cartable.core.models import DataExport
from cartable.core.privacy import request_export
from cartable.core.search import search
from cartable.drive import actions
from cartable.drive.actions import retention
from cartable.drive.actions.privacy import erase_files
from cartable.drive.actions.sharing import share_with_group
from cartable.drive.models import Blob, Node, Space, Version

from .conftest import put


def test_search_finds_names_the_user_may_see(teacher, student, colleague, my_root, class_root):
    put(my_root, "Progression annuelle.odt", b"x", teacher)
    put(class_root, "Progression 4e.pdf", b"x", teacher)
    titles = {r.title for r in search(teacher, "progression").get("drive", [])}
    assert titles == {"Progression annuelle.odt", "Progression 4e.pdf"}
    assert {r.title for r in search(student, "progression").get("drive", [])} == {
        "Progression 4e.pdf"
    }
    assert search(colleague, "progression").get("drive") is None


def test_export_has_my_files(teacher, my_root, django_capture_on_commit_callbacks):
    folder = actions.create_folder(my_root, "Cours", by=teacher)
    put(folder, "été.txt", b"soleil", teacher)
    with django_capture_on_commit_callbacks(execute=True):
        export = request_export(teacher)
    export = DataExport.objects.get(pk=export.pk)
    with default_storage.open(export.file_name) as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    assert archive.read("drive/Cours/été.txt") == b"soleil"


def test_erase_deletes_personal_files_and_keeps_class_files(
    teacher, klass, student, my_root, class_root, django_capture_on_commit_callbacks
):

    box = actions.create_folder(class_root, "Devoir", by=teacher)
    box.file_drop = True
    box.save()
    with django_capture_on_commit_callbacks(execute=True):
        put(my_root, "mine.txt", b"1", teacher)
        hw = put(box, "hw.txt", b"2", student)
        put(actions.root_of(actions.personal_space(student)), "brouillon.txt", b"3", student)
        erase_files(student)
    assert Node.objects.get(pk=hw.pk).created_by_id == teacher.pk
    assert not Space.objects.filter(user=student).exists()
    assert Blob.objects.count() == 2


def test_trash_purged_after_retention(teacher, my_root, settings):
    settings.DRIVE_TRASH_DAYS = 30
    f = put(my_root, "old.txt", b"1", teacher)
    actions.trash(f, by=teacher)
    Node.objects.filter(pk=f.pk).update(trashed_at=timezone.now() - timedelta(days=31))
    g = put(my_root, "recent.txt", b"1", teacher)
    actions.trash(g, by=teacher)
    assert retention.purge_old_trash() == 1
    assert list(actions.trash_items(my_root.space)) == [Node.objects.get(pk=g.pk)]


def test_version_thinning_policy(teacher, my_root):
    f = put(my_root, "a.txt", b"0", teacher)
    # Noon and half a minute: no group of versions below straddles a minute or a day (at
    # 01:06 UTC, "3 days 1 hour" and "3 days 2 hours" ago were two days, and the test failed).
    now = timezone.now().replace(hour=12, minute=0, second=30, microsecond=0)
    ages = [timedelta(seconds=1), timedelta(seconds=2)]  # both kept: one per second
    ages += [timedelta(minutes=30, seconds=s) for s in (0, 5, 10)]  # one per minute
    ages += [timedelta(days=3, hours=h) for h in (1, 2)]  # one per day (same day)
    for age in ages:
        Version.objects.create(node=f, blob=f.blob, size=1, mtime=now - age)
    drop = retention.versions_to_drop(list(f.versions.all()), now)
    assert len(drop) >= 2
    assert len(f.versions.all()) - len(drop) <= 5


def test_orphan_blobs_purged(teacher, my_root):
    with actions.BlobWriter() as writer:
        writer.write(b"lost")
        blob = writer.finish()
    Blob.objects.filter(pk=blob.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert retention.purge_orphan_blobs() == 1
    assert not default_storage.exists(blob.storage_name)


def test_search_finds_text_of_documents(
    teacher, colleague, my_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        put(my_root, "cours.txt", "La photosynthèse des plantes vertes".encode(), teacher)
        put(my_root, "image.bin", b"photosynthese", teacher)
    hits = search(teacher, "photosynthèse").get("drive", [])
    assert [h.title for h in hits] == ["cours.txt"]
    assert search(colleague, "photosynthèse").get("drive") is None


def test_dashboard_lists_recent_files(client, teacher, student, my_root, class_root):
    put(class_root, "Consignes.pdf", b"%PDF", teacher)
    put(my_root, "Brouillon.txt", b"x", teacher)
    client.force_login(student)
    page = client.get("/dashboard/").content.decode()
    assert "Consignes.pdf" in page and "Brouillon.txt" not in page


def test_what_is_shared_with_a_class_shows_in_its_folder(
    client, teacher, colleague, klass, student, class_root
):

    set_member(klass, colleague, "manager", by=teacher)
    colleague.forget_group_roles()
    theirs = actions.root_of(actions.personal_space(colleague))
    folder = actions.create_folder(theirs, "Docs de Ahmed", by=colleague)
    share_with_group(folder, klass, "viewer", by=colleague)
    client.force_login(student)
    page = client.get(f"/drive/f/{class_root.public_id}").content.decode()
    assert "Docs de Ahmed" in page and "Ahmed Benali" in page
