"""Reading one post: ``access_post`` answers "missing" and "forbidden" alike, so a post's existence never
leaks. Who may reply to a thread is decided here too, because pages need it to show or hide the reply box."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from django.db import connections, router

from spool.core.compiled import Compiled, compiled
from spool.core.errors import NotFound
from spool.identities.models import Follow
from spool.identities.servers import ServerPolicy, server_policy
from spool.posts.models import Mention, Post, ReplyControl
from spool.posts.querysets import visibility_rule

if TYPE_CHECKING:
    from spool.identities.models import Account

NOT_AVAILABLE = "This post isn't available."
# Stands for the post ID in a visibility check compiled once (never a real ID: those are positive).
_ANY_POST = -0x5F00_0001


def parse_post_id(post_id: Any) -> int:
    try:
        value = int(post_id)
    except (TypeError, ValueError):
        raise NotFound(NOT_AVAILABLE) from None
    if value <= 0 or value >= 1 << 63:
        raise NotFound(NOT_AVAILABLE)
    return value


@dataclass(frozen=True)
class SeenPost:
    """A post :func:`read_visible_post` read for the viewer ``viewer_id``, the visibility check part of the
    read: :func:`access_post` hands it back to that viewer without checking again."""

    post: Post
    viewer_id: int


def access_post(viewer: Account | None, post_id: Any) -> Post:
    """The post ``post_id`` if ``viewer`` may see it (see ``PostQuerySet.visible_to``); otherwise
    ``NotFound``, the same error whether it is missing or forbidden. Given a ``Post`` the caller read
    already (the inbox's ``post_for_uri``), the same check on it, and that post back, not read again; given
    a :class:`SeenPost` read for this viewer, its post (checked by that read)."""
    if isinstance(post_id, SeenPost):
        if viewer is not None and post_id.viewer_id == viewer.id:
            return post_id.post
        post_id = post_id.post
    if isinstance(post_id, Post):
        if not may_see(viewer, post_id.id):
            raise NotFound(NOT_AVAILABLE)
        return post_id
    value = parse_post_id(post_id)
    found = _CARD_POST.models(id=value) if may_see(viewer, value) else None
    if not found:
        raise NotFound(NOT_AVAILABLE)
    return cast(Post, found[0])


# The post read for a card (``Post.objects.for_cards()``), compiled once per process.
_CARD_POST = compiled(lambda id: Post.objects.for_cards().filter(id=id)[:1], ints=("id",))


def may_see(viewer: Account | None, post_id: int) -> bool:
    """Whether ``viewer`` may see the post ``post_id`` (``Post.objects.visible_to``, the same rule). For
    someone logged in the rule's SQL is compiled once per process and server policy with the viewer as a
    parameter (:mod:`spool.core.compiled`): turning its thirty-odd conditions into SQL cost more than
    running the query, and the inbox meets a new remote viewer with nearly every like or repost."""
    if viewer is not None:
        return bool(_visibility_check_of(server_policy()).run(raw=True, viewer=viewer.id, post=post_id))
    alias = router.db_for_read(Post)
    sql, params, index = _visibility_check(alias, None, server_policy())
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [*params[:index], post_id, *params[index + 1 :]])
        return cursor.fetchone() is not None


def read_visible_post(viewer: Account, post_id: int) -> SeenPost | None:
    """The post ``post_id`` with its author if ``viewer`` may see it (the rule of :func:`may_see`), in one
    statement: the inbox's likes and reposts read the post and checked it in two."""
    found = _visible_post_of(server_policy()).models(viewer=viewer.id, post=post_id)
    return SeenPost(cast(Post, found[0]), viewer.id) if found else None


@lru_cache(maxsize=64)
def _visible_post_of(policy: ServerPolicy) -> Compiled:
    """``visible_to(viewer).filter(id=post)`` with the author, compiled once (as
    :func:`_visibility_check_of`)."""

    def read(viewer: int, post: int) -> Any:
        return Post.objects.filter(visibility_rule(viewer, policy), id=post).select_related("author")[:1]

    return compiled(read, ints=("viewer", "post"))


@lru_cache(maxsize=64)
def _visibility_check_of(policy: ServerPolicy) -> Compiled:
    """``visible_to(viewer).filter(id=post)`` for any logged-in viewer, compiled once. Safe to keep for the
    same reason the rule is (see :mod:`spool.posts.querysets`): the rule's shape is the same for every
    logged-in viewer, the social graph is read when it runs, and the server lists are the key."""

    def check(viewer: int, post: int) -> Any:
        return Post.objects.filter(visibility_rule(viewer, policy), id=post).values_list("id")[:1]

    return compiled(check, ints=("viewer", "post"))


@lru_cache(maxsize=2048)
def _visibility_check(
    alias: str, viewer_id: int | None, policy: ServerPolicy
) -> tuple[str, tuple[Any, ...], int]:
    """``visible_to(viewer).filter(id=…)`` as SQL and parameters, and the position of the post ID among them
    (for the logged-out viewer). Safe to keep for the same reason the rule is (see
    :mod:`spool.posts.querysets`): it holds the viewer's ID and the operator's server lists (part of the
    key); the social graph is read when it runs."""
    rule = visibility_rule(viewer_id, policy)
    query = Post.objects.filter(rule, id=_ANY_POST).values_list("id")[:1].query
    sql, params = query.get_compiler(alias).as_sql()
    if list(params).count(_ANY_POST) != 1:
        raise RuntimeError("the visibility check's post ID is ambiguous")
    return sql, tuple(params), list(params).index(_ANY_POST)


def thread_root(post: Post) -> Post:
    """The post whose reply control governs replies under ``post``: its thread's first post (``post``
    itself for a root post; the parent when the first post was deleted)."""
    if not post.is_reply:
        return post
    return post.root or post.reply_to or post


def reply_refusal(viewer: Account, post: Post) -> str | None:
    """Why ``viewer`` may not reply under ``post`` (a message), or ``None`` if they may. The thread's root
    post's reply control applies to the whole thread; the root post's author may always reply."""
    root = thread_root(post)
    if post.ghost == "archived":
        return "This ghost post has expired."
    if root.author_id == viewer.id:
        return None
    control = root.reply_control
    if control == ReplyControl.EVERYONE:
        return None
    if control == ReplyControl.ACCOUNTS_YOU_FOLLOW:
        if Follow.objects.filter(follower_id=root.author_id, followee_id=viewer.id).exists():
            return None
        return "Only profiles the author follows can reply."
    if control == ReplyControl.MENTIONED_ONLY:
        if Mention.objects.filter(post_id=root.id, account_id=viewer.id).exists():
            return None
        return "Only profiles mentioned by the author can reply."
    if control == ReplyControl.FOLLOWERS_ONLY:
        if Follow.objects.filter(follower_id=viewer.id, followee_id=root.author_id).exists():
            return None
        return "Only the author's followers can reply."
    return "Only the author can reply."


def can_reply(viewer: Account | None, post: Post) -> bool:
    return viewer is not None and reply_refusal(viewer, post) is None
