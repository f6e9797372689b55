"""Template filters of the Messages pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dm_reaction(message: Any, viewer: Any) -> str | None:
    """The viewer's reaction to a message card, if any."""
    if viewer is None:
        return None
    return message.reaction_of(viewer.pk)
