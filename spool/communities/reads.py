"""Reading communities: the directory, one community, a person's memberships, and the community feed.

The feed is the community topic's top-level posts through the same pipeline as every feed: IDs chosen by a
``visible_to(viewer).in_feeds_of(viewer)`` query, cards built in one batch (:func:`build_cards`), plus one
query for the page authors' flair and leader badges. Two orders:

- **Recent**: newest first, cursor = the last post ID.
- **Top**: ``(engagement + 1) / (age in hours + 2) ** 1.2`` over the last ``TOP_WINDOW`` (at most ``TOP_SCAN``
  newest posts), engagement = likes + 2·replies + 2·reposts + quotes. The cursor freezes the clock of the
  first page (``t.<ms>.<score>.<id>``), so later pages rank with the same ages and continue after the last
  item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from spool.communities.models import Community, Membership
from spool.core.errors import NotFound, ValidationError
from spool.core.pagination import MAX_PAGE, parse_cursor
from spool.core.snowflake import id_at
from spool.identities.models import Account
from spool.posts.batch import PostCard, build_cards
from spool.posts.models import Post

SORTS = ("top", "recent")
TOP_WINDOW = timedelta(days=7)
TOP_SCAN = 500
GRAVITY = 1.2
DIRECTORY_PAGE = 30


def access_community(slug: Any) -> Community:
    """The community at ``/c/<slug>`` (joined with its topic), or ``NotFound``."""
    found = (
        Community.objects.select_related("topic").filter(slug=slug).first() if isinstance(slug, str) else None
    )
    if found is None:
        raise NotFound("No such community.")
    return found


def list_communities(cursor: Any = None, limit: int = DIRECTORY_PAGE) -> tuple[list[Community], int | None]:
    """The directory, newest first, cursor-paginated by ID. One query."""
    limit = max(1, min(int(limit), MAX_PAGE))
    qs = Community.objects.select_related("topic").order_by("-id")
    after = parse_cursor(cursor)
    if after is not None:
        qs = qs.filter(id__lt=after)
    rows = list(qs[: limit + 1])
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def joined_communities(viewer: Account | None) -> list[Community]:
    """The communities ``viewer`` joined, by name (for the feed menu and the profile). One query; a person
    joins at most ``MAX_JOINED``."""
    if viewer is None:
        return []
    return list(
        Community.objects.filter(memberships__account_id=viewer.id).select_related("topic").order_by("name")
    )


def joined_community_topics(viewer: Account) -> dict[int, str]:
    """Topic ID -> community name for every community ``viewer`` joined (For You's community source and its
    "From your community" reason). One query of at most ``MAX_JOINED`` rows."""
    rows = Community.objects.filter(memberships__account_id=viewer.id).values_list("topic_id", "name")
    return dict(rows)


def membership_of(viewer: Account | None, community: Community) -> Membership | None:
    if viewer is None:
        return None
    return Membership.objects.filter(community=community, account_id=viewer.id).first()


def memberships_of(account: Account) -> list[Membership]:
    """``account``'s memberships with their communities, by name: what the profile shows (with flair and
    leader badges). One query."""
    return list(
        Membership.objects.filter(account_id=account.id)
        .select_related("community")
        .order_by("community__name")
    )


@dataclass
class CommunityItem:
    card: PostCard
    flair: str = ""
    leader: bool = False


@dataclass
class CommunityPage:
    items: list[CommunityItem]
    next_cursor: str | None


def top_score(engagement: int, age_hours: float) -> float:
    """Engagement-weighted with recency decay. Gravity 1.2 lets a two-day-old post with 100 likes still beat
    a new silent one; the +1 orders fresh silent posts by age."""
    return (engagement + 1) / (max(age_hours, 0.0) + 2.0) ** GRAVITY


def _top_cursor(raw: str) -> tuple[datetime, float, int]:
    try:
        _, ms, score, post_id = raw.split(".", 3)
        return datetime.fromtimestamp(int(ms) / 1000, tz=UTC), float(score.replace("_", ".")), int(post_id)
    except ValueError:
        raise ValidationError("The cursor is not valid.", code="invalid_cursor", field="cursor") from None


def _encode_top(now: datetime, score: float, post_id: int) -> str:
    # ``.`` separates the parts, so the score's decimal point travels as ``_``.
    return f"t.{int(now.timestamp() * 1000)}.{repr(score).replace('.', '_')}.{post_id}"


def community_feed(
    viewer: Account | None, community: Community, sort: str, cursor: Any = None, limit: int = 20
) -> CommunityPage:
    """A page of the community feed in ``sort`` order ("top" or "recent")."""
    if sort not in SORTS:
        raise ValidationError("Sort by top or recent.", code="invalid_sort", field="sort")
    limit = max(1, min(int(limit), MAX_PAGE))
    qs = Post.objects.visible_to(viewer).in_feeds_of(viewer).top_level().filter(topic_id=community.topic_id)
    if sort == "recent":
        after = parse_cursor(cursor)
        if after is not None:
            qs = qs.filter(id__lt=after)
        rows = list(qs.for_cards().order_by("-id")[: limit + 1])
        posts, next_cursor = rows[:limit], (str(rows[limit - 1].id) if len(rows) > limit else None)
    else:
        posts, next_cursor = _top_page(qs, cursor, limit)
    cards = build_cards(viewer, posts)
    badges = {
        m.account_id: m
        for m in Membership.objects.filter(community=community, account_id__in={c.author.id for c in cards})
    }
    items = []
    for card in cards:
        member = badges.get(card.author.id)
        items.append(CommunityItem(card, member.flair if member else "", bool(member and member.is_leader)))
    return CommunityPage(items, next_cursor)


def _top_page(qs: Any, cursor: Any, limit: int) -> tuple[list[Post], str | None]:
    if cursor in (None, ""):
        now, after = timezone.now(), None
    elif isinstance(cursor, str) and cursor.startswith("t."):
        now, score, post_id = _top_cursor(cursor)
        after = (score, post_id)
    else:
        raise ValidationError("The cursor is not valid.", code="invalid_cursor", field="cursor")
    rows = qs.filter(id__gte=id_at(now - TOP_WINDOW), created_at__lte=now).values_list(
        "id", "created_at", "likes_count", "replies_count", "reposts_count", "quotes_count"
    )
    ranked = []
    for post_id, created_at, likes, replies, reposts, quotes in rows.order_by("-id")[:TOP_SCAN]:
        age = (now - created_at).total_seconds() / 3600
        ranked.append((top_score(likes + 2 * replies + 2 * reposts + quotes, age), post_id))
    ranked.sort(reverse=True)
    if after is not None:
        ranked = [r for r in ranked if r < after]
    page = ranked[:limit]
    by_id = Post.objects.for_cards().in_bulk([pid for _, pid in page])
    posts = [by_id[pid] for _, pid in page if pid in by_id]
    more = len(ranked) > limit
    return posts, (_encode_top(now, page[-1][0], page[-1][1]) if more and page else None)
