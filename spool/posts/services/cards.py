"""Link preview cards: the first link of a post's text gets a ``LinkCard``, shared by every post with the
same URL and fetched in the background (``spool.posts.tasks.refresh_link_card``) through the SSRF-safe
fetcher in :mod:`spool.core.fetch`."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from spool.core.fetch import FetchError, fetch_page_meta
from spool.posts.models import LinkCard

MAX_URL = 2000
# A card that failed is tried again when a new post links to it, at most this often.
RETRY_FAILED_AFTER = timedelta(hours=6)
# A ready card is refreshed when a new post links to it and it is older than this.
REFRESH_READY_AFTER = timedelta(days=7)


def card_for_links(links: list[str], *, has_media: bool) -> LinkCard | None:
    """The card for the first link (``None`` when there is no link or the post shows media instead).
    Enqueues a fetch after commit when the card is new or due for a retry/refresh."""
    if has_media or not links or len(links[0]) > MAX_URL:
        return None
    card, created = LinkCard.objects.get_or_create(url=links[0])
    if created or _due(card):
        card_id = card.id
        transaction.on_commit(lambda: _enqueue(card_id))
    return card


def _due(card: LinkCard) -> bool:
    if card.fetched_at is None:
        return card.state == LinkCard.State.PENDING
    age = timezone.now() - card.fetched_at
    if card.state == LinkCard.State.FAILED:
        return age > RETRY_FAILED_AFTER
    return age > REFRESH_READY_AFTER


def _enqueue(card_id: int) -> None:
    from spool.posts.tasks import refresh_link_card

    refresh_link_card.delay(card_id)


def refresh_card(card_id: int) -> LinkCard | None:
    """Fetch the card's page and store its title, description, image and site name (``READY``), or mark it
    ``FAILED``. Idempotent; a missing card is ignored. The network call runs outside any transaction."""
    card = LinkCard.objects.filter(id=card_id).first()
    if card is None:
        return None
    try:
        meta = fetch_page_meta(card.url)
    except FetchError:
        LinkCard.objects.filter(id=card_id).update(state=LinkCard.State.FAILED, fetched_at=timezone.now())
    else:
        LinkCard.objects.filter(id=card_id).update(
            state=LinkCard.State.READY if (meta.title or meta.description) else LinkCard.State.FAILED,
            title=meta.title,
            description=meta.description,
            image_url=meta.image_url,
            site_name=meta.site_name,
            fetched_at=timezone.now(),
        )
    return LinkCard.objects.filter(id=card_id).first()
