"""Every change to Drive goes through here: the browser, WebDAV, the Nextcloud endpoints and
jobs call the same functions.

Each function checks access (``by`` may be None for an anonymous visitor holding a public
``link``), keeps the folders above up to date (their ``size`` and ``etag``, which sync
clients compare to know what changed), keeps the space's ``used`` bytes, and writes the
activity list. Sizes of folders count live files only; a space's ``used`` counts live
files, kept versions and the trash (what storage holds for it).
"""

from cartable.drive.actions.base import (
    MAX_DEPTH,
    _delete_versions,
    collect_blobs,
    discard_blob,
    free_name,
    live_child,
    live_descendants,
)
from cartable.drive.actions.files import (
    WriteCheck,
    as_seen,
    check_can_write,
    check_write,
    create_folder,
    make_folders,
    new_writer,
    store_file,
    write_file,
)
from cartable.drive.actions.moves import copy, move
from cartable.drive.actions.trash import (
    check_trash_access,
    empty_trash,
    purge,
    restore,
    trash,
    trash_items,
    trashed_subtree,
)
from cartable.drive.actions.versions import restore_version, set_favourite, versions
from cartable.drive.blobs import BlobWriter, open_blob
from cartable.drive.models import Activity
from cartable.drive.spaces import free_bytes, group_space, personal_space, quota_of, root_of

__all__ = [
    "MAX_DEPTH",
    "Activity",
    "BlobWriter",
    "WriteCheck",
    "_delete_versions",
    "as_seen",
    "check_can_write",
    "check_trash_access",
    "check_write",
    "collect_blobs",
    "copy",
    "create_folder",
    "discard_blob",
    "empty_trash",
    "free_bytes",
    "free_name",
    "group_space",
    "live_child",
    "live_descendants",
    "make_folders",
    "move",
    "new_writer",
    "open_blob",
    "personal_space",
    "purge",
    "quota_of",
    "restore",
    "restore_version",
    "root_of",
    "set_favourite",
    "store_file",
    "trash",
    "trash_items",
    "trashed_subtree",
    "versions",
    "write_file",
]
