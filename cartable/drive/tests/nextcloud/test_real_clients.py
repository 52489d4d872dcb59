"""The real clients against a live server: ``nextcloudcmd`` (the Nextcloud desktop client's
command line) syncs a folder both ways, and ``rclone`` (``vendor=nextcloud``) copies and
checks a tree. Both are Debian packages (``make setup-system``)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

CHUNK = 1_000_000
NAMES = ["été 2025", "notes de cours.txt", "emoji 🎒.md"]


def tree(root: Path) -> dict[str, str]:
    """``{relative path: sha1}`` of the files below ``root``, the client's own files left out."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.split("/")[-1].startswith(
            (".sync_", "._sync_", ".owncloudsync")
        ):
            found[rel] = hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()
    return found


def sync(live, password: str, local: Path, remote: str) -> subprocess.CompletedProcess:
    binary = shutil.which("nextcloudcmd")
    if binary is None:
        pytest.skip("nextcloudcmd is not installed (make setup-system)")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(local.parent),
        # Small chunks, so that a 3 MB file goes through chunked upload.
        "OWNCLOUD_CHUNK_SIZE": str(CHUNK),
        "OWNCLOUD_MIN_CHUNK_SIZE": str(CHUNK),
        "OWNCLOUD_MAX_CHUNK_SIZE": str(CHUNK),
        "QT_QPA_PLATFORM": "offscreen",
    }
    done = subprocess.run(  # noqa: S603
        [
            binary,
            "--non-interactive",
            "-u",
            "claire",
            "-p",
            password,
            "--path",
            remote,
            str(local),
            live.url,
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done


def dav_url(live, path: str) -> str:
    return f"{live.url}/remote.php/dav/files/claire/" + "/".join(
        quote(p) for p in path.strip("/").split("/")
    )


def test_nextcloudcmd_syncs_both_ways_and_converges(live, nc_server, claire, tmp_path):
    password = nc_server[1]["claire"]
    remote = f"/sync-{uuid.uuid4().hex[:6]}"
    assert claire.request("MKCOL", dav_url(live, remote)).status_code == 201
    local = tmp_path / "local"
    local.mkdir()
    (local / NAMES[0]).mkdir()
    (local / NAMES[0] / NAMES[1]).write_text("première version", encoding="utf-8")
    (local / NAMES[2]).write_text("# sac", encoding="utf-8")
    (local / "à renommer.txt").write_text("r", encoding="utf-8")
    (local / "à supprimer.txt").write_text("s", encoding="utf-8")
    (local / "gros fichier.bin").write_bytes(os.urandom(3 * CHUNK + 12345))
    assert (
        claire.put(dav_url(live, f"{remote}/du serveur.txt"), data=b"from the server").status_code
        == 201
    )

    sync(live, password, local, remote)
    # Up: everything is on the server, the big file whole (it went up in chunks).
    big = claire.get(dav_url(live, f"{remote}/gros fichier.bin"))
    assert big.content == (local / "gros fichier.bin").read_bytes()
    got = claire.get(dav_url(live, f"{remote}/{NAMES[0]}/{NAMES[1]}"))
    assert got.content.decode() == "première version"
    # Down: the server's file arrived.
    assert (local / "du serveur.txt").read_bytes() == b"from the server"

    # Changes on both sides.
    (local / NAMES[0] / NAMES[1]).write_text("deuxième version, plus longue", encoding="utf-8")
    (local / "à renommer.txt").rename(local / "renommé ici.txt")
    (local / "à supprimer.txt").unlink()
    (local / "nouveau ici.txt").write_text("n", encoding="utf-8")
    claire.put(dav_url(live, f"{remote}/du serveur.txt"), data=b"changed on the server")
    claire.request(
        "MOVE",
        dav_url(live, f"{remote}/{NAMES[2]}"),
        headers={"Destination": dav_url(live, f"{remote}/renommé là-bas.md")},
    )
    claire.put(dav_url(live, f"{remote}/nouveau là-bas.txt"), data=b"m")
    claire.delete(dav_url(live, f"{remote}/gros fichier.bin"))

    sync(live, password, local, remote)
    files = tree(local)
    assert files.keys() == {
        f"{NAMES[0]}/{NAMES[1]}",
        "renommé ici.txt",
        "nouveau ici.txt",
        "du serveur.txt",
        "renommé là-bas.md",
        "nouveau là-bas.txt",
    }
    assert (local / "du serveur.txt").read_bytes() == b"changed on the server"
    for rel in ("renommé ici.txt", "nouveau ici.txt", f"{NAMES[0]}/{NAMES[1]}"):
        assert claire.get(dav_url(live, f"{remote}/{rel}")).content == (local / rel).read_bytes()
    for gone in ("à renommer.txt", "à supprimer.txt", NAMES[2], "gros fichier.bin"):
        assert claire.get(dav_url(live, f"{remote}/{gone}")).status_code == 404

    # A third run has nothing left to do: both sides agree.
    before = tree(local)
    done = sync(live, password, local, remote)
    assert tree(local) == before
    log = done.stdout + done.stderr
    assert '"PUT"' not in log and '"MOVE"' not in log and '"DELETE"' not in log


def rclone(live, password: str, *args: str) -> subprocess.CompletedProcess:
    binary = shutil.which("rclone")
    if binary is None:
        pytest.skip("rclone is not installed (make setup-system)")
    obscured = subprocess.run(  # noqa: S603
        [binary, "obscure", password], capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {
        "PATH": "/usr/bin:/bin",
        "RCLONE_CONFIG": "/dev/null",
        "RCLONE_CONFIG_NC_TYPE": "webdav",
        "RCLONE_CONFIG_NC_VENDOR": "nextcloud",
        "RCLONE_CONFIG_NC_URL": f"{live.url}/remote.php/dav/files/claire/",
        "RCLONE_CONFIG_NC_USER": "claire",
        "RCLONE_CONFIG_NC_PASS": obscured,
    }
    return subprocess.run(  # noqa: S603
        [binary, *args], capture_output=True, text=True, timeout=240, env=env, check=False
    )


def test_rclone_copies_a_tree_up_and_down_and_checks_it(live, nc_server, tmp_path):
    password = nc_server[1]["claire"]
    remote = f"nc:rclone-{uuid.uuid4().hex[:6]}"
    up = tmp_path / "up"
    (up / NAMES[0] / "sous dossier").mkdir(parents=True)
    (up / NAMES[0] / NAMES[1]).write_text("é" * 1000, encoding="utf-8")
    (up / NAMES[0] / "sous dossier" / NAMES[2]).write_text("🎒", encoding="utf-8")
    (up / "vide.txt").write_bytes(b"")
    (up / "gros.bin").write_bytes(os.urandom(2 * CHUNK))
    done = rclone(live, password, "copy", str(up), remote)
    assert done.returncode == 0, done.stderr
    done = rclone(live, password, "check", str(up), remote)
    assert done.returncode == 0, done.stderr
    down = tmp_path / "down"
    done = rclone(live, password, "copy", remote, str(down))
    assert done.returncode == 0, done.stderr
    assert tree(down) == tree(up)
    done = rclone(live, password, "check", "--download", str(down), remote)
    assert done.returncode == 0, done.stderr
