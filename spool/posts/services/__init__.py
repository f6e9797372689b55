"""The write path of posts. Every front door calls these; each validates everything, runs in one
transaction and publishes its events (see :mod:`spool.posts.events`). Split by concept:

- :mod:`.compose` — ``create_post``
- :mod:`.edit` — ``edit_post``, ``delete_post``
- :mod:`.interactions` — likes, reposts, saves
- :mod:`.polls` — ``vote_in_poll``, closing ended polls
- :mod:`.replies` — hiding replies
- :mod:`.media` — uploading images and their alt text, deleting orphaned uploads
- :mod:`.pins` — pinning posts to one's profile
- :mod:`.conversations` — muting a thread's notifications
- :mod:`.ghosts` — archiving ghost posts
- :mod:`.cards` — link preview cards
- :mod:`.erasure` — counters kept exact when posts or accounts are deleted
"""

from spool.posts.services.cards import refresh_card
from spool.posts.services.compose import create_post
from spool.posts.services.conversations import mute_conversation, unmute_conversation
from spool.posts.services.edit import delete_post, edit_post
from spool.posts.services.ghosts import expire_ghost_posts
from spool.posts.services.interactions import (
    like_post,
    repost_post,
    save_post,
    undo_repost,
    unlike_post,
    unsave_post,
)
from spool.posts.services.media import delete_orphaned_media, update_media, upload_media
from spool.posts.services.pins import MAX_PINNED, pin_post, unpin_post
from spool.posts.services.polls import close_ended_polls, percentages, vote_in_poll
from spool.posts.services.replies import hide_reply, unhide_reply
from spool.posts.services.topics import find_topic

__all__ = [
    "MAX_PINNED",
    "close_ended_polls",
    "create_post",
    "delete_orphaned_media",
    "delete_post",
    "edit_post",
    "expire_ghost_posts",
    "find_topic",
    "hide_reply",
    "like_post",
    "mute_conversation",
    "percentages",
    "pin_post",
    "refresh_card",
    "repost_post",
    "save_post",
    "undo_repost",
    "unhide_reply",
    "unlike_post",
    "unmute_conversation",
    "unpin_post",
    "unsave_post",
    "update_media",
    "upload_media",
    "vote_in_poll",
]
