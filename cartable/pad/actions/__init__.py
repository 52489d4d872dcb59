"""Pad's actions: every change to pads, their authors, chat and images goes through here.

``pads`` (creating, writing, sharing, copying, deleting pads) is re-exported here; the other
modules are imported by name: ``api`` (Etherpad's groups, authors and sessions), ``authors``,
``chat``, ``conversion`` (imports and exports of stored pads), ``retention``.
"""

from cartable.pad.actions.pads import (
    add_image,
    append_content,
    append_text,
    check_image,
    copy_pad,
    create_pad,
    delete_pad,
    extend_text,
    layer_reset,
    move_pad,
    rename_pad,
    restore_revision,
    save_revision,
    set_content,
    set_public_status,
    set_reach,
    set_text,
    share_with_user,
)

__all__ = [
    "add_image",
    "append_content",
    "append_text",
    "check_image",
    "copy_pad",
    "create_pad",
    "delete_pad",
    "extend_text",
    "layer_reset",
    "move_pad",
    "rename_pad",
    "restore_revision",
    "save_revision",
    "set_content",
    "set_public_status",
    "set_reach",
    "set_text",
    "share_with_user",
]
