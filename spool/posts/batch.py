"""Turning a page of posts into ``PostCard``s: everything a page, an API response or a notification needs
to show a post, loaded for the whole page at once.

``build_cards(viewer, items)`` costs a fixed number of queries whatever the page holds (at most 8: missing
joins, quoted posts, images, poll options, the viewer's votes, the viewer's likes/reposts/saves, visible
parents of replies with their authors, mentions, roots of hidden replies — each only when some item needs
it). Pass posts loaded with ``Post.objects...for_cards()`` to skip the first one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.db.models import CharField, QuerySet, Value
from django.utils import timezone
from django.utils.safestring import SafeString

from spool.core.compiled import compiled, id_list
from spool.media.models import RemoteImage
from spool.media.remote import image_url
from spool.posts.models import Like, LinkCard, Media, Mention, PollOption, PollVote, Post, Repost, Save, Topic
from spool.posts.rendering import render_attachment, render_post_text
from spool.posts.services.polls import percentages

if TYPE_CHECKING:
    from spool.identities.models import Account


@dataclass
class FeedEntry:
    """A post as it appears in a list: itself, or reposted by someone (``repost_id`` orders it then)."""

    post: Post
    reposted_by: Account | None = None
    repost_id: int | None = None

    @property
    def sort_id(self) -> int:
        return self.repost_id or self.post.id


@dataclass
class MediaCard:
    id: int
    url: str
    width: int
    height: int
    alt_text: str
    content_type: str
    # For an image on another server: the original's address (pages link to it, so a failed fetch still
    # leaves a way to see it); ``url`` is then our lazily fetched copy.
    remote_url: str = ""


@dataclass
class PollOptionCard:
    index: int
    text: str
    votes: int
    percent: int


@dataclass
class PollCard:
    options: list[PollOptionCard]
    total_votes: int
    expires_at: datetime
    ended: bool
    viewer_vote: int | None


# What readers see in place of a post moderators marked sensitive, until they choose to show it.
CONTENT_WARNING = "Sensitive content"


@dataclass
class PostCard:
    """One post as the viewer sees it. Counts are ``None`` when hidden from the viewer (others' ghost
    posts); ``hidden`` is true only for the thread's root author looking at a hidden reply."""

    post: Post
    id: int
    author: Account
    text: str
    html: SafeString
    created_at: datetime
    edited_at: datetime | None
    topic: Topic | None
    spoilers: list[list[int]]
    media_spoiler: bool
    # Marked sensitive by moderators: text and media behind a content warning (``CONTENT_WARNING``).
    sensitive: bool = False
    media: list[MediaCard] = field(default_factory=list)
    attachment_text: str = ""
    attachment_html: str = ""
    poll: PollCard | None = None
    quote: PostCard | None = None
    quote_unavailable: bool = False
    link_card: LinkCard | None = None
    likes_count: int | None = 0
    replies_count: int | None = 0
    reposts_count: int | None = 0
    quotes_count: int | None = 0
    viewer_liked: bool = False
    viewer_reposted: bool = False
    viewer_saved: bool = False
    is_own: bool = False
    is_reply: bool = False
    reply_to_id: int | None = None
    reply_to_author: Account | None = None
    root_id: int | None = None
    reply_control: str = "everyone"
    is_ghost: bool = False
    ghost_archived: bool = False
    expires_at: datetime | None = None
    hidden: bool = False
    # (account ID, handle, domain — "" for local) of each account the post mentions.
    mentions: list[tuple[int, str, str]] = field(default_factory=list)
    reposted_by: Account | None = None
    repost_id: int | None = None

    @property
    def edited(self) -> bool:
        return self.edited_at is not None

    @property
    def sort_id(self) -> int:
        return self.repost_id or self.id

    @property
    def counts_hidden(self) -> bool:
        return self.likes_count is None


# The queries every page runs, compiled once per process (``spool.core.compiled``): building them through
# the ORM cost more CPU than running them.
_MEDIA = compiled(
    lambda ids: Media.objects.filter(post_id__in=id_list(ids)).order_by("post_id", "position"), lists=("ids",)
)
_POLL_OPTIONS = compiled(
    lambda ids: (
        PollOption.objects.filter(poll_id__in=id_list(ids)).select_related("poll").order_by("position")
    ),
    lists=("ids",),
)


def _marks(model: type[Like | Repost | Save], kind: str, viewer: int, ids: object) -> QuerySet[Any]:
    return model.objects.filter(account_id=viewer, post_id__in=id_list(ids)).values_list(
        "post_id", Value(kind, output_field=CharField())
    )


_VIEWER_MARKS = compiled(
    lambda viewer, ids: _marks(Like, "like", viewer, ids).union(
        _marks(Repost, "repost", viewer, ids), _marks(Save, "save", viewer, ids), all=True
    ),
    ints=("viewer",),
    lists=("ids",),
)
_MENTIONS = compiled(
    lambda ids: Mention.objects.filter(post_id__in=id_list(ids)).values_list(
        "post_id", "account_id", "account__handle", "account__domain"
    ),
    lists=("ids",),
)


def _ensure_joined(posts: list[Post]) -> list[Post]:
    """Posts with author, topic and link card joined; the ones not loaded that way are loaded again, in
    one query for all of them."""
    missing = [
        p.id for p in posts if not all(name in p._state.fields_cache for name in ("author", "topic", "card"))
    ]
    if not missing:
        return posts
    loaded = Post.objects.for_cards().in_bulk(missing)
    return [loaded.get(p.id, p) for p in posts]


def build_cards(viewer: Account | None, items: Sequence[Post | FeedEntry]) -> list[PostCard]:
    """Cards for ``items`` in the same order. The caller has already decided the items are visible to
    ``viewer``; quoted posts and reply parents are checked here with ``visible_to``."""
    entries = [item if isinstance(item, FeedEntry) else FeedEntry(item) for item in items]
    if not entries:
        return []
    posts = _ensure_joined([e.post for e in entries])
    for entry, post in zip(entries, posts, strict=True):
        entry.post = post
    viewer_id = viewer.id if viewer is not None else None

    quote_ids = {p.quote_of_id for p in posts if p.quote_of_id}
    quotes = (
        {q.id: q for q in Post.objects.visible_to(viewer).for_cards().filter(id__in=quote_ids)}
        if quote_ids
        else {}
    )
    all_posts = {p.id: p for p in (*posts, *quotes.values())}
    ids = list(all_posts)

    media: dict[int, list[MediaCard]] = defaultdict(list)
    for m in cast(list[Media], _MEDIA.models(ids=ids)):
        media[m.post_id].append(  # type: ignore[index]
            MediaCard(m.id, m.file.url, m.width, m.height, m.alt_text, m.content_type)
        )
    # Only pages with posts from other servers pay for the look-up (authors are joined already).
    remote_posts = [p.id for p in all_posts.values() if p.author.domain]
    remote_images = (
        RemoteImage.objects.filter(post_id__in=remote_posts, kind=RemoteImage.Kind.ATTACHMENT)
        if remote_posts
        else RemoteImage.objects.none()
    )
    for r in remote_images.order_by("post_id", "position"):
        media[r.post_id].append(  # type: ignore[index]
            MediaCard(r.id, image_url(r.id), r.width, r.height, r.alt_text, r.content_type, r.url)
        )

    polled = [p.id for p in all_posts.values()]
    options: dict[int, list[PollOption]] = defaultdict(list)
    for option in cast(list[PollOption], _POLL_OPTIONS.models(ids=polled)):
        options[option.poll_id].append(option)
    votes: dict[int, int] = {}
    if viewer_id and options:
        votes = dict(
            PollVote.objects.filter(voter_id=viewer_id, poll_id__in=list(options)).values_list(
                "poll_id", "option__position"
            )
        )

    liked: set[int] = set()
    reposted: set[int] = set()
    saved: set[int] = set()
    if viewer_id:
        for post_id, kind in _VIEWER_MARKS.run(viewer=viewer_id, ids=ids):
            {"like": liked, "repost": reposted, "save": saved}[kind].add(post_id)

    parent_ids = {p.reply_to_id for p in posts if p.reply_to_id}
    parents = (
        {
            p.id: p
            for p in Post.objects.visible_to(viewer)
            .filter(id__in=parent_ids)
            .select_related("author")
            .only("id", "author")
        }
        if parent_ids
        else {}
    )

    mentions: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for post_id, account_id, handle, domain in _MENTIONS.run(ids=ids):
        mentions[post_id].append((account_id, handle, domain))

    root_authors: dict[int, int] = {}
    hidden_roots = {p.root_id for p in posts if p.hidden and p.root_id}
    if viewer_id and hidden_roots:
        root_authors = dict(Post.objects.filter(id__in=hidden_roots).values_list("id", "author_id"))

    now = timezone.now()

    def card(post: Post, *, nested: bool) -> PostCard:
        own = viewer_id is not None and post.author_id == viewer_id
        counts_visible = own or not post.ghost
        poll = None
        if post.id in options:
            opts = options[post.id]
            poll_row = opts[0].poll
            shares = percentages([o.votes_count for o in opts])
            poll = PollCard(
                options=[
                    PollOptionCard(o.position, o.text, o.votes_count, share)
                    for o, share in zip(opts, shares, strict=True)
                ],
                total_votes=poll_row.votes_count,
                expires_at=poll_row.expires_at,
                ended=poll_row.closed or poll_row.expires_at <= now,
                viewer_vote=votes.get(post.id),
            )
        parent = parents.get(post.reply_to_id) if post.reply_to_id else None
        result = PostCard(
            post=post,
            id=post.id,
            author=post.author,
            text=post.text,
            html=render_post_text(
                post.text, post.spoilers, mention_handles=[h for _, h, _ in mentions.get(post.id, ())]
            ),
            created_at=post.created_at,
            edited_at=post.edited_at,
            topic=post.topic,
            spoilers=post.spoilers,
            media_spoiler=post.media_spoiler,
            sensitive=post.sensitive,
            media=media.get(post.id, []),
            attachment_text=post.attachment_text,
            attachment_html=render_attachment(post.attachment_text, post.attachment_styles)
            if post.attachment_text
            else "",
            poll=poll,
            link_card=post.card
            if post.card is not None and post.card.state == LinkCard.State.READY
            else None,
            likes_count=post.likes_count if counts_visible else None,
            replies_count=post.replies_count if counts_visible else None,
            reposts_count=post.reposts_count if counts_visible else None,
            quotes_count=post.quotes_count if counts_visible else None,
            viewer_liked=post.id in liked,
            viewer_reposted=post.id in reposted,
            viewer_saved=post.id in saved,
            is_own=own,
            is_reply=post.is_reply,
            reply_to_id=post.reply_to_id,
            reply_to_author=parent.author if parent is not None else None,
            root_id=post.root_id,
            reply_control=post.reply_control,
            is_ghost=bool(post.ghost),
            ghost_archived=post.ghost == "archived",
            expires_at=post.expires_at,
            hidden=post.hidden and root_authors.get(post.root_id or 0) == viewer_id,
            mentions=mentions.get(post.id, []),
        )
        if not nested and post.quote_of_id:
            quoted = quotes.get(post.quote_of_id)
            if quoted is not None:
                result.quote = card(quoted, nested=True)
            else:
                result.quote_unavailable = True
        return result

    cards = []
    for entry in entries:
        item = card(entry.post, nested=False)
        item.reposted_by = entry.reposted_by
        item.repost_id = entry.repost_id
        cards.append(item)
    return cards


def build_card(viewer: Account | None, post: Post) -> PostCard:
    return build_cards(viewer, [post])[0]
