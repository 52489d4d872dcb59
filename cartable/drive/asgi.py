"""Drive's ASGI surface beside Django: the DAV trees under ``/remote.php/`` (files, and the
Nextcloud clients' uploads, trash bin and versions). Importing their modules registers them
with the DAV server (``webdav.http.register``); ``cartable.asgi`` mounts this application
behind the hardened edge."""

from __future__ import annotations

from cartable.drive.nextcloud import dav_trash, dav_uploads
from cartable.drive.webdav import files
from cartable.drive.webdav.app import application

# The modules whose import registered a tree (the same list, for the guard tests).
TREE_MODULES = (files, dav_uploads, dav_trash)

__all__ = ["TREE_MODULES", "application"]
