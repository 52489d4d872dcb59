"""The functions of Etherpad's HTTP API: parameters in, Etherpad's data shapes and messages out.

The API reaches the pads made through it and group pads: pads that people create in Cartable
belong to a user or a class and stay out of its reach (docs/decisions/0004-pad-etherpad-api.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cartable.pad.etherpad import live, pads, people
from cartable.pad.etherpad.common import ApiError, ApiUnsupported, Params

__all__ = ["FUNCTIONS", "ApiError", "ApiUnsupported", "Params"]

FUNCTIONS: dict[str, Callable[[Params], Any]] = {
    "createGroup": people.create_group,
    "createGroupIfNotExistsFor": people.create_group_if_not_exists_for,
    "deleteGroup": people.delete_group,
    "listPads": people.list_pads,
    "listAllGroups": people.list_all_groups,
    "createGroupPad": people.create_group_pad,
    "createPad": pads.create_pad,
    "deletePad": pads.delete_pad,
    "getText": pads.get_text,
    "setText": pads.set_text,
    "appendText": pads.append_text,
    "getHTML": pads.get_html,
    "setHTML": pads.set_html,
    "getRevisionsCount": pads.get_revisions_count,
    "getLastEdited": pads.get_last_edited,
    "getReadOnlyID": pads.get_read_only_id,
    "getPadID": pads.get_pad_id,
    "setPublicStatus": pads.set_public_status,
    "getPublicStatus": pads.get_public_status,
    "listAuthorsOfPad": pads.list_authors_of_pad,
    "copyPad": pads.copy_pad,
    "copyPadWithoutHistory": pads.copy_pad_without_history,
    "movePad": pads.move_pad,
    "getSavedRevisionsCount": pads.get_saved_revisions_count,
    "listSavedRevisions": pads.list_saved_revisions,
    "saveRevision": pads.save_revision,
    "restoreRevision": pads.restore_revision,
    "getRevisionChangeset": pads.get_revision_changeset,
    "getAttributePool": pads.get_attribute_pool,
    "createDiffHTML": pads.create_diff_html,
    "createAuthor": people.create_author,
    "createAuthorIfNotExistsFor": people.create_author_if_not_exists_for,
    "getAuthorName": people.get_author_name,
    "listPadsOfAuthor": people.list_pads_of_author,
    "createSession": people.create_session,
    "deleteSession": people.delete_session,
    "getSessionInfo": people.get_session_info,
    "listSessionsOfGroup": people.list_sessions_of_group,
    "listSessionsOfAuthor": people.list_sessions_of_author,
    "getChatHistory": live.get_chat_history,
    "getChatHead": live.get_chat_head,
    "appendChatMessage": live.append_chat_message,
    "padUsersCount": live.pad_users_count,
    "padUsers": live.pad_users,
    "sendClientsMessage": live.send_clients_message,
    "checkToken": live.check_token,
    "listAllPads": live.list_all_pads,
    "getStats": live.get_stats,
}
