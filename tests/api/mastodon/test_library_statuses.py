"""Mastodon.py (the real library) against a live server, for the account, status, poll and media calls:
it parses every answer into its own typed entities, so a shape it cannot read fails here."""

from __future__ import annotations

import io
from typing import Any

import pytest
from mastodon import Mastodon
from PIL import Image

from spool.identities.services import register_account
from spool.oauth import scopes as scope_rules
from spool.oauth.services import create_application, issue_token

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(live_server: Any, handle: str) -> Mastodon:
    account = register_account(
        email=f"{handle}@example.com",
        password="correct horse battery staple",
        handle=handle,
        client_address=None,
    )
    app = create_application(
        name="Mastodon.py", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow"
    )
    token = issue_token(app.application, account, scope_rules.parse("read write follow"))
    return Mastodon(api_base_url=live_server.url, access_token=token.access_token, version_check_mode="none")


def test_statuses_polls_and_media_through_mastodon_py(live_server: Any, settings: Any) -> None:
    ana, bo = client_for(live_server, "ana"), client_for(live_server, "bo")
    me = ana.account_verify_credentials()
    assert me.username == "ana" and me.source.privacy == "public"
    ana.account_update_credentials(display_name="Ana", note="hello", fields=[("Site", "https://ana.example")])

    buffer = io.BytesIO()
    Image.new("RGB", (16, 9), (1, 2, 3)).save(buffer, format="PNG")
    media = ana.media_post(buffer.getvalue(), mime_type="image/png", description="dark", focus=(0.1, 0.2))
    pictured = ana.status_post("with a picture", media_ids=[media], sensitive=True, idempotency_key="k1")
    assert pictured.media_attachments[0].description == "dark"
    assert ana.status_post("with a picture", media_ids=[media], idempotency_key="k1").id == pictured.id

    poll = ana.make_poll(["yes", "no"], expires_in=86400)
    polled = ana.status_post("Agree?", poll=poll)
    voted = bo.poll_vote(polled.poll.id, [0])
    assert voted.own_votes == [0]

    reply = bo.status_reply(polled, "yes indeed")
    assert reply.in_reply_to_id == polled.id
    bo.status_favourite(polled)
    reblog = bo.status_reblog(polled)
    assert reblog.reblog.id == polled.id
    bo.status_bookmark(polled)
    context = ana.status_context(polled)
    assert [s.id for s in context.descendants] == [reply.id]
    assert [a.username for a in ana.status_favourited_by(polled)] == ["bo"]

    edited = ana.status_update(pictured.id, "with a nice picture")
    assert "nice" in edited.content
    assert len(ana.status_history(pictured.id)) == 2
    assert ana.status_source(pictured.id).text == "with a nice picture"
    ana.status_pin(polled)
    assert [s.id for s in bo.account_statuses(me.id, pinned=True)] == [polled.id]

    relationship = bo.account_follow(me.id)
    assert relationship.following is True
    assert bo.account_relationships([me.id])[0].following is True
    assert [a.username for a in ana.account_followers(me.id)] == ["bo"]
    assert [a.username for a in bo.account_search("an")] == ["ana"]
    assert ana.account_lookup("bo").username == "bo"

    ana.status_post("a third one")
    statuses = bo.account_statuses(me.id, limit=2)
    assert len(statuses) == 2
    older = bo.fetch_next(statuses)
    assert [s.id for s in older] == [pictured.id]

    deleted = ana.status_delete(pictured.id)
    assert deleted.text == "with a nice picture"
    assert ana.instance().configuration.statuses.max_characters == 500
    assert ana.instance_v1().uri
