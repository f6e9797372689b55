"""Replies to ghost posts arrive in the ghost post author's inbox as messages (as on Threads): a message
from the replier that shares the reply, in their one-to-one conversation."""

from __future__ import annotations

from django.db import transaction

from spool.core.errors import Forbidden
from spool.messaging.models import Membership, Message
from spool.messaging.rules import check_can_message
from spool.messaging.services.conversations import direct_conversation
from spool.messaging.services.messages import Content, store_message
from spool.posts.events import PostCreated
from spool.posts.models import Post


def deliver_ghost_reply(reply_id: int) -> Message | None:
    """Deliver the reply ``reply_id`` to the ghost post's author if it replies in a ghost post's thread.
    The messaging rules decide, as for any message (blocks, the author's setting, age; a request when the
    author does not follow the replier), except that the reply was invited: it does not count against the
    replier's daily cap, and it is shared although a request otherwise refuses shared posts."""
    reply = Post.objects.select_related("author", "root__author").filter(pk=reply_id).first()
    if reply is None or not reply.root_ghost or reply.root is None:
        return None
    author, replier = reply.root.author, reply.author
    if author.pk == replier.pk or not author.is_local or not replier.is_local:
        return None
    try:
        verdict = check_can_message(replier, author)
    except Forbidden:
        return None
    with transaction.atomic():
        conversation = direct_conversation(replier, author)
        mine = Membership.objects.select_related("account", "conversation").get(
            conversation=conversation, account=replier
        )
        theirs = Membership.objects.get(conversation=conversation, account=author)
        if mine.state == Membership.State.LEFT:
            mine.state, mine.folder, mine.visible_until_id = (
                Membership.State.ACTIVE,
                Membership.Folder.PRIMARY,
                None,
            )
            mine.save(update_fields=["state", "folder", "visible_until_id"])
        if theirs.state == Membership.State.LEFT or conversation.last_message_id == 0:  # declined, or new
            theirs.state = Membership.State.REQUEST if verdict.request else Membership.State.ACTIVE
            theirs.folder = Membership.Folder.REQUESTS if verdict.request else Membership.Folder.PRIMARY
            theirs.visible_until_id = None
            theirs.save(update_fields=["state", "folder", "visible_until_id"])
        return store_message(mine, Content(text="", shared_post=reply))


def on_post_created(event: PostCreated) -> None:
    if event.reply_to_id is not None:
        deliver_ghost_reply(event.post_id)
