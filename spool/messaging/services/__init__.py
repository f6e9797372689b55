"""The write path for direct messages (see the module of each group). Every function validates its input,
runs in a transaction and publishes events after commit; presentation layers call these and never write
models themselves."""

from spool.messaging.services.conversations import (
    add_members,
    create_group,
    leave_conversation,
    remove_member,
    rename_group,
    start_conversation,
)
from spool.messaging.services.inbox import (
    accept_request,
    archive,
    block_from_request,
    decline_request,
    delete_conversation,
    mark_read,
    prune_changes,
    set_dm_policy,
    set_muted,
)
from spool.messaging.services.messages import (
    EDIT_WINDOW,
    delete_for_me,
    edit_message,
    react,
    send_message,
    unsend_message,
)
from spool.messaging.services.reports import report_conversation

__all__ = [
    "EDIT_WINDOW",
    "accept_request",
    "add_members",
    "archive",
    "block_from_request",
    "create_group",
    "decline_request",
    "delete_conversation",
    "delete_for_me",
    "edit_message",
    "leave_conversation",
    "mark_read",
    "prune_changes",
    "react",
    "remove_member",
    "rename_group",
    "report_conversation",
    "send_message",
    "set_dm_policy",
    "set_muted",
    "start_conversation",
    "unsend_message",
]
