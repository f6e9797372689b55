"""Template helpers for remote people and posts: the page of the original on its own server.

``{% original_post_url card as url %}`` reads the originals of every remote post of the page being rendered
(the ``page`` in the context) on its first use and keeps them on the request, so a feed costs one query
for all of them and a page without remote posts none.
"""

from __future__ import annotations

from typing import Any

from django import template

from spool.federation.origins import post_origins

register = template.Library()


def _remote_cards(context: Any) -> list[Any]:
    page = context.get("page")
    items = list(getattr(page, "items", None) or ())
    thread = context.get("thread")
    if thread is not None:
        items += [thread.post, *thread.ancestors, *_reply_cards(thread.replies)]
    cards = [*items, *(getattr(c, "quote", None) for c in items)]
    return [c for c in cards if getattr(c, "author", None) is not None and not c.author.is_local]


def _reply_cards(nodes: Any) -> list[Any]:
    return [card for node in nodes for card in (node.card, *_reply_cards(node.children))]


@register.simple_tag(takes_context=True)
def original_post_url(context: Any, card: Any) -> str:
    """The page of remote ``card``'s post on its own server; ``""`` for a local post."""
    if card is None or card.author.is_local:
        return ""
    request = context.get("request")
    known: dict[int, str] = getattr(request, "_spool_original_urls", None) or {}
    if card.id not in known:
        wanted = {card.id} | {c.id for c in _remote_cards(context)}
        found = post_origins(wanted - known.keys())
        known.update({post_id: found[post_id].url if post_id in found else "" for post_id in wanted})
        if request is not None:
            request._spool_original_urls = known
    return known.get(card.id, "")
