"""Every write to custom feeds, pins and the default feed. Each service checks everything first and writes
nothing when it refuses. Services that count or order a person's rows lock that person's account row
first, so two requests at once cannot pass a limit or interleave positions. Nothing here publishes events:
these rows change nobody else's view until they read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max

from spool.core.errors import ValidationError
from spool.core.ratelimit import Limit, hit
from spool.feeds.custom.access import access_feed, owned_feed
from spool.feeds.custom.models import CustomFeed, DefaultFeed, FeedPin, FeedPreference
from spool.feeds.custom.validation import check_definition, check_profiles, search_terms
from spool.identities.models import Account

MAX_FEEDS = 100
MAX_PINS = 20
FEED_WRITE_LIMIT = Limit("feed_changes", 200, timedelta(hours=1))
DEFINITION_FIELDS = ("name", "mode", "topics", "profiles", "keywords")


def _lock(account: Account) -> None:
    Account.objects.select_for_update().filter(pk=account.id).first()


def _store(feed: CustomFeed, data: dict[str, Any], owner: Account) -> None:
    definition = check_definition(owner, data)
    feed.name = definition.name
    feed.mode = definition.mode
    feed.topics = definition.topics
    feed.profiles = definition.profiles
    feed.keywords = definition.keywords


def create_feed(owner: Account, data: dict[str, Any], *, shared: bool = False) -> CustomFeed:
    """Make a feed from ``data`` (``name``, ``mode``, ``topics``, ``profiles``, ``keywords``; see
    :func:`~spool.feeds.custom.validation.check_definition`). Refuses past ``MAX_FEEDS`` feeds
    (``too_many_feeds``) and past the write rate limit. Does not pin it. Locks the owner's account row."""
    feed = CustomFeed(owner=owner, is_shared=bool(shared))
    _store(feed, data, owner)
    hit(FEED_WRITE_LIMIT, owner.id)
    with transaction.atomic():
        _lock(owner)
        if CustomFeed.objects.filter(owner_id=owner.id).count() >= MAX_FEEDS:
            raise ValidationError(
                f"You can have at most {MAX_FEEDS} feeds; delete one first.", code="too_many_feeds"
            )
        feed.save()
    return feed


def create_feed_from_search(owner: Account, q: Any, *, name: Any = None, mode: Any = None) -> CustomFeed:
    """A feed from a search box query: ``#tags`` become topics, the other words keywords (see
    :func:`~spool.feeds.custom.validation.search_terms`); named after the query unless ``name`` is given."""
    topics, keywords = search_terms(q)
    title = name if isinstance(name, str) and name.strip() else str(q).strip()[:50]
    return create_feed(owner, {"name": title, "mode": mode, "topics": topics, "keywords": keywords})


def update_feed(owner: Account, feed_id: Any, data: dict[str, Any]) -> CustomFeed:
    """Change the owner's feed: each of ``DEFINITION_FIELDS`` present in ``data`` replaces the stored one,
    ``shared`` (bool) shares or unshares it; the result is checked whole. ``NotFound`` for a feed that is
    not the owner's."""
    shared = data.get("shared")
    if shared is not None and not isinstance(shared, bool):
        raise ValidationError("shared must be true or false.", code="invalid", field="shared")
    hit(FEED_WRITE_LIMIT, owner.id)
    with transaction.atomic():
        feed = owned_feed(owner, feed_id, lock=True)
        merged = {name: getattr(feed, name) for name in DEFINITION_FIELDS}
        merged["profiles"] = [str(p) for p in feed.profiles]
        merged.update({k: v for k, v in data.items() if k in DEFINITION_FIELDS})
        _store(feed, merged, owner)
        if shared is not None:
            feed.is_shared = shared
        feed.save()
    return feed


def add_profile_to_feed(owner: Account, feed_id: Any, profile: Any) -> CustomFeed:
    """Add one profile (handle or ID) to the owner's feed; nothing changes when it is already there."""
    ids = check_profiles(owner, [profile])
    feed = owned_feed(owner, feed_id)
    if ids[0] in feed.profiles:
        return feed
    return update_feed(owner, feed.id, {"profiles": [*map(str, feed.profiles), str(ids[0])]})


def delete_feed(owner: Account, feed_id: Any) -> None:
    """Delete the owner's feed with everyone's pins of it; people whose default it was fall back to
    Following. ``NotFound`` for a feed that is not the owner's."""
    with transaction.atomic():
        feed = owned_feed(owner, feed_id, lock=True)
        FeedPreference.objects.filter(feed_id=feed.id).update(default=DefaultFeed.FOLLOWING, feed=None)
        feed.delete()


def pin_feed(account: Account, feed_id: Any) -> FeedPin:
    """Pin a feed ``account`` may read (their own or a shared one) at the end of their switcher.
    Idempotent. Refuses past ``MAX_PINS`` (``too_many_pins``) and past the write rate limit. Locks the
    account row."""
    hit(FEED_WRITE_LIMIT, account.id)
    with transaction.atomic():
        _lock(account)
        feed = access_feed(account, feed_id)
        pins = FeedPin.objects.filter(account_id=account.id)
        existing = pins.filter(feed_id=feed.id).first()
        if existing is not None:
            return existing
        if pins.count() >= MAX_PINS:
            raise ValidationError(
                f"You can pin at most {MAX_PINS} feeds; unpin one first.", code="too_many_pins", field="feed"
            )
        last = pins.aggregate(last=Max("position"))["last"]
        return FeedPin.objects.create(account=account, feed=feed, position=0 if last is None else last + 1)


def unpin_feed(account: Account, feed_id: Any) -> None:
    """Take a feed out of ``account``'s switcher (idempotent); when ``/`` opened it, ``/`` opens Following
    again."""
    with transaction.atomic():
        _lock(account)
        FeedPin.objects.filter(account_id=account.id, feed_id=_int(feed_id)).delete()
        FeedPreference.objects.filter(account_id=account.id, feed_id=_int(feed_id)).update(
            default=DefaultFeed.FOLLOWING, feed=None
        )


def reorder_pins(account: Account, feed_ids: Sequence[Any]) -> list[FeedPin]:
    """Put ``account``'s pinned feeds in the order of ``feed_ids``, which must name each pinned feed exactly
    once (``invalid_order`` otherwise). Locks the account row."""
    if not isinstance(feed_ids, list | tuple):
        raise ValidationError("feed_ids must be a list.", code="invalid", field="feed_ids")
    wanted = [_int(f) for f in feed_ids]
    hit(FEED_WRITE_LIMIT, account.id)
    with transaction.atomic():
        _lock(account)
        pins = {p.feed_id: p for p in FeedPin.objects.filter(account_id=account.id)}
        if len(wanted) != len(set(wanted)) or set(wanted) != set(pins):
            raise ValidationError(
                "List every pinned feed exactly once.", code="invalid_order", field="feed_ids"
            )
        for position, feed_id in enumerate(wanted):
            pins[feed_id].position = position
        FeedPin.objects.bulk_update(list(pins.values()), ["position"])
    return [pins[f] for f in wanted]


def move_pin(account: Account, feed_id: Any, step: int) -> list[FeedPin]:
    """Move one pinned feed ``step`` places (-1 up, +1 down), staying within the list."""
    order = list(
        FeedPin.objects.filter(account_id=account.id)
        .order_by("position", "id")
        .values_list("feed_id", flat=True)
    )
    target = _int(feed_id)
    if target not in order:
        raise ValidationError("That feed is not pinned.", code="not_pinned", field="feed")
    index = order.index(target)
    new_index = max(0, min(len(order) - 1, index + step))
    order.insert(new_index, order.pop(index))
    return reorder_pins(account, order)


def set_default_feed(account: Account, choice: Any) -> FeedPreference:
    """Choose what ``/`` opens: ``"following"``, ``"for_you"`` or the ID of a feed ``account`` pinned
    (``not_pinned`` otherwise)."""
    feed_id: int | None = None
    if choice in (DefaultFeed.FOLLOWING, DefaultFeed.FOR_YOU):
        default = str(choice)
    else:
        default = DefaultFeed.CUSTOM
        feed_id = _int(choice, field="default")
        if not FeedPin.objects.filter(account_id=account.id, feed_id=feed_id).exists():
            raise ValidationError(
                "Pin a feed before making it your default.", code="not_pinned", field="default"
            )
    preference, _ = FeedPreference.objects.update_or_create(
        account=account, defaults={"default": default, "feed_id": feed_id}
    )
    return preference


def _int(value: Any, *, field: str = "feed_id") -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError("Not a feed ID.", code="invalid", field=field) from None
    if number <= 0:
        raise ValidationError("Not a feed ID.", code="invalid", field=field)
    return number
