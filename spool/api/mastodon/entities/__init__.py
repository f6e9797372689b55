"""Mastodon entities (``Account``, ``Status``, ``Relationship``, ``Poll``, ``MediaAttachment``, ``Tag``)
rendered from Spool's domain objects as plain dicts, a page at a time with a fixed number of queries.
Every resource module renders through these, so a status looks the same wherever it appears."""

from spool.api.mastodon.entities.accounts import render_account, render_accounts, render_credential_account
from spool.api.mastodon.entities.common import iso
from spool.api.mastodon.entities.media import render_media
from spool.api.mastodon.entities.polls import render_poll
from spool.api.mastodon.entities.relationships import render_relationships
from spool.api.mastodon.entities.statuses import (
    render_reblogs,
    render_status,
    render_status_cards,
    render_statuses,
)
from spool.api.mastodon.entities.tags import render_tag

__all__ = [
    "iso",
    "render_account",
    "render_accounts",
    "render_credential_account",
    "render_media",
    "render_poll",
    "render_reblogs",
    "render_relationships",
    "render_status",
    "render_status_cards",
    "render_statuses",
    "render_tag",
]
