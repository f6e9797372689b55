"""Inbound handlers on real captured payloads (``tests/fixtures/activitypub/<software>/``).

Captured payloads address people on the servers they were captured from; each test points those
addressees (and the posts they act on) at our local people and posts — the only change made to them. The
remote actors' documents, and the few objects a payload refers to, are served by the stand-in fediverse.
"""

from __future__ import annotations

from typing import Any

import pytest

from spool.federation.keys import verify
from spool.federation.models import InboxItem, RemotePost
from spool.federation.signatures import digest, parse_signature
from spool.identities.models import Account, Block, Follow
from spool.posts.models import Like, Mention, Post, Repost
from tests.api.mastodon.conftest import token_client
from tests.federation.conftest import captured, deliver_to_inbox

ADMIN = "http://mastodon.example.org/users/admin"
LAIN = "http://localtesting.pleroma.lol/users/lain"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def actor_uri(person: Any) -> str:
    return f"http://testserver/ap/accounts/{person.id}"


def post_uri(post: dict[str, Any]) -> str:
    return f"http://testserver/ap/posts/{post['id']}"


def point_at(payload: Any, old: str, new: str) -> Any:
    """``payload`` with every occurrence of the id ``old`` replaced by ``new``."""
    import json

    return json.loads(json.dumps(payload).replace(old, new))


def follow_remote(person: Any, handle: str) -> Account:
    """``person`` finds ``@handle`` through the Mastodon API's search (WebFinger) and follows them."""
    api = token_client(person.account)
    found = api.get("/api/v2/search", q=f"@{handle}", resolve="true", type="accounts").json()["accounts"]
    assert len(found) == 1, found
    response = api.post(f"/api/v1/accounts/{found[0]['id']}/follow")
    assert response.status_code == 200, response.content
    return Account.objects.get(pk=found[0]["id"])


def note(uri: str, author: str, content: str, **extra: Any) -> dict[str, Any]:
    """A minimal Note served by the stand-in server for objects a captured payload refers to."""
    return {"id": uri, "type": "Note", "attributedTo": author, "content": content, "to": [PUBLIC], **extra}


@pytest.fixture
def ana(federating: Any) -> Any:
    return federating("ana")


def test_mastodon_create_with_mention_and_content_warning(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = fediverse.actor(ADMIN)
    activity = point_at(captured("mastodon/create-note-mention-cw"), LAIN, actor_uri(ana))
    assert deliver_to_inbox(anon, admin, activity).status_code == 202
    remote = RemotePost.objects.get(uri="http://mastodon.example.org/users/admin/statuses/99512778738411822")
    post = remote.post
    assert post.author.acct == "admin@mastodon.example.org"
    assert post.text == "cw\n\n@lain"
    assert post.spoilers == [[4, 5]]  # the warning shows; the rest is behind a spoiler
    assert Mention.objects.filter(post=post, account_id=ana.id).exists()
    assert remote.url == "http://mastodon.example.org/@admin/99512778738411822"
    notifications = ana.client.get("/api/spool/v1/notifications/").json()
    assert any(n["kind"] == "mention" for n in notifications["items"]), notifications


def test_mastodon_hashtag_becomes_the_topic(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = fediverse.actor(ADMIN)
    activity = point_at(captured("mastodon/create-note-hashtag"), LAIN, actor_uri(ana))
    assert deliver_to_inbox(anon, admin, activity).status_code == 202
    post = Post.objects.get(author__domain="mastodon.example.org")
    assert post.topic is not None and post.topic.display == "moo"


def test_mastodon_attachment_is_kept_and_strangers_posts_are_not(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = fediverse.actor(ADMIN)
    activity = captured("mastodon/create-note-attachment")
    assert deliver_to_inbox(anon, admin, activity).status_code == 202
    assert not Post.objects.filter(author__domain="mastodon.example.org").exists()  # nobody follows admin
    assert InboxItem.objects.get().state == "ignored"
    follow_remote(ana, "admin@mastodon.example.org")
    assert deliver_to_inbox(anon, admin, {**activity, "id": activity["id"] + "#2"}).status_code == 202
    remote = RemotePost.objects.get()
    assert remote.attachments == [
        {
            "url": "http://mastodon.example.org/system/media_attachments/files/000/000/002/original/334ce029e7bfb920.jpg",
            "media_type": "image/jpeg",
            "alt": "",
        }
    ]
    assert remote.post.text == "http://mastodon.example.org/media/hw4nrZmV5DPbW2z_hao"


def test_mastodon_follow_is_accepted_with_a_signed_accept(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = fediverse.actor(ADMIN)
    activity = point_at(captured("mastodon/follow"), LAIN, actor_uri(ana))
    assert deliver_to_inbox(anon, admin, activity).status_code == 202
    assert Follow.objects.filter(followee_id=ana.id, follower__domain="mastodon.example.org").exists()
    [accept] = fediverse.deliveries("Accept")
    assert accept.path == "/inbox"  # the shared inbox
    assert accept.activity["object"]["id"] == activity["id"]
    assert accept.headers["digest"] == digest(accept.body)
    signature = parse_signature(accept.headers["signature"])
    pem = anon.get(f"/ap/accounts/{ana.id}").json()["publicKey"]["publicKeyPem"]
    import base64

    signed = "\n".join(
        f"(request-target): post {accept.path}" if h == "(request-target)" else f"{h}: {accept.headers[h]}"
        for h in signature["headers"].split()
    )
    assert verify(pem, base64.b64decode(signature["signature"]), signed.encode())


def test_mastodon_accept_turns_a_request_into_a_follow(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = fediverse.actor(ADMIN, locked=True)
    remote = follow_remote(ana, "admin@mastodon.example.org")
    assert not Follow.objects.filter(followee=remote).exists()  # a request: admin approves followers
    [sent] = fediverse.deliveries("Follow")
    assert sent.activity["object"] == ADMIN and sent.activity["actor"] == actor_uri(ana)
    accept = point_at(captured("mastodon/accept-follow"), LAIN, actor_uri(ana))
    accept = point_at(accept, "http://localtesting.pleroma.lol/users/lain#follows/4", sent.activity["id"])
    assert deliver_to_inbox(anon, admin, accept).status_code == 202
    assert Follow.objects.filter(follower_id=ana.id, followee=remote).exists()


def test_mastodon_block_ends_the_follow(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = fediverse.actor(ADMIN)
    deliver_to_inbox(anon, admin, point_at(captured("mastodon/follow"), LAIN, actor_uri(ana)))
    block = point_at(captured("mastodon/block"), LAIN, actor_uri(ana))
    block["id"] += "/block"  # the captured Block reuses the Follow's id; Spool keeps one activity per id
    assert deliver_to_inbox(anon, admin, block).status_code == 202
    assert Block.objects.filter(blocker__domain="mastodon.example.org", blocked_id=ana.id).exists()
    assert not Follow.objects.filter(followee_id=ana.id).exists()


def test_likes_and_their_compact_undo(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = fediverse.actor(ADMIN)
    post = ana.write("a post to like")
    like = {"id": f"{ADMIN}#likes/2", "type": "Like", "actor": ADMIN, "object": post_uri(post)}  # constructed
    assert deliver_to_inbox(anon, admin, like).status_code == 202
    assert ana.view(post)["likes_count"] == 1
    undo = captured("mastodon/undo-like-compact")  # names the Like only by its id
    assert deliver_to_inbox(anon, admin, undo).status_code == 202
    assert ana.view(post)["likes_count"] == 0
    assert not Like.objects.exists()


def test_a_like_or_repost_of_a_post_the_actor_may_not_see_is_ignored(
    anon: Any, ana: Any, fediverse: Any
) -> None:
    """The inbox holds the post it resolved; the services still check the actor may see it (ana blocks
    admin: her posts are hidden from them)."""
    admin = fediverse.actor(ADMIN)
    post = ana.write("not for admin")
    blocked = follow_remote(ana, "admin@mastodon.example.org")
    token_client(ana.account).post(f"/api/v1/accounts/{blocked.id}/block")
    like = {"id": f"{ADMIN}#likes/9", "type": "Like", "actor": ADMIN, "object": post_uri(post)}
    announce = {
        "id": f"{ADMIN}/statuses/9/activity",
        "type": "Announce",
        "actor": ADMIN,
        "object": post_uri(post),
    }
    for activity in (like, announce):
        assert deliver_to_inbox(anon, admin, activity).status_code == 202
        assert InboxItem.objects.get(activity_id=activity["id"]).state == "ignored"
    assert not Like.objects.exists()
    assert not Repost.objects.exists()
    assert ana.view(post)["likes_count"] == 0


def test_misskey_reaction_and_pleroma_emoji_reaction_count_as_likes(
    anon: Any, ana: Any, fediverse: Any
) -> None:
    admin = fediverse.actor(ADMIN)
    post = ana.write("react to me")
    misskey = point_at(
        captured("misskey/like-reaction"),
        "https://testing.pleroma.lol/objects/c331bbf7-2eb9-4801-a709-2a6103492a5a",
        post_uri(post),
    )
    assert deliver_to_inbox(anon, admin, misskey).status_code == 202
    assert ana.view(post)["likes_count"] == 1
    other = ana.write("and me")
    pleroma = point_at(
        captured("pleroma/emoji-reaction"),
        "http://localtesting.pleroma.lol/objects/eb92579d-3417-42a8-8652-2492c2d4f454",
        post_uri(other),
    )
    assert deliver_to_inbox(anon, admin, pleroma).status_code == 202
    assert ana.view(other)["likes_count"] == 1


def test_mastodon_announce_and_its_undo(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = fediverse.actor(ADMIN)
    fediverse.actor("http://lostallofmy.faith/users/admin")
    object_id = "http://lostallofmy.faith/objects/acc592f0-093a-4326-856e-2ab30947ef11"
    fediverse.serve_json(object_id, note(object_id, "http://lostallofmy.faith/users/admin", "<p>hello</p>"))
    undo = captured("mastodon/undo-announce")
    announce = undo["object"]  # the captured Announce, as it was first delivered
    assert deliver_to_inbox(anon, admin, announce).status_code == 202
    reposted = RemotePost.objects.get(uri=object_id).post
    assert Repost.objects.filter(post=reposted, account__domain="mastodon.example.org").exists()
    assert deliver_to_inbox(anon, admin, undo).status_code == 202
    assert not Repost.objects.exists()


def test_mastodon_delete_with_a_tombstone(anon: Any, ana: Any, fediverse: Any) -> None:
    gargron = fediverse.actor("http://mastodon.example.org/users/gargron")
    follow_remote(ana, "gargron@mastodon.example.org")
    status = "http://mastodon.example.org/users/gargron/statuses/99620895606148759"
    create = {
        "id": f"{status}/activity",
        "type": "Create",
        "actor": gargron.uri,
        "to": [PUBLIC],
        "object": note(status, gargron.uri, "<p>soon gone</p>"),
    }  # constructed
    deliver_to_inbox(anon, gargron, create)
    assert RemotePost.objects.filter(uri=status).exists()
    assert deliver_to_inbox(anon, gargron, captured("mastodon/delete-tombstone")).status_code == 202
    assert not RemotePost.objects.filter(uri=status).exists()
    assert not Post.objects.filter(author__domain="mastodon.example.org").exists()


def test_misskey_quote(anon: Any, ana: Any, fediverse: Any) -> None:
    author = fediverse.actor("https://misskey.io/users/7rkrarq81i")
    follow_remote(ana, "7rkrarq81i@misskey.io")
    quoted = "https://misskey.io/notes/8vs6wxufd0"
    fediverse.serve_json(quoted, note(quoted, author.uri, "<p>the quoted note</p>"))
    obj = captured("misskey/note-quote")
    create = {
        "id": f"{obj['id']}/activity",
        "type": "Create",
        "actor": author.uri,
        "to": obj["to"],
        "object": obj,
    }
    assert deliver_to_inbox(anon, author, create).status_code == 202
    post = RemotePost.objects.get(uri=obj["id"]).post
    assert post.quote_of is not None and RemotePost.objects.get(post=post.quote_of).uri == quoted
    assert post.text.endswith("移動してることがある")  # the "RE: <url>" fallback line is dropped
    assert post.quote_of.quotes_count == 1


def test_pleroma_reply_fetches_its_parent(anon: Any, ana: Any, fediverse: Any) -> None:
    helene = fediverse.actor("https://p.helene.moe/users/helene")
    fediverse.actor("https://mk.absturztau.be/users/8ozbzjs3o8")
    follow_remote(ana, "helene@p.helene.moe")
    parent = "https://mk.absturztau.be/notes/93e7nm8wqg"
    fediverse.serve_json(parent, note(parent, "https://mk.absturztau.be/users/8ozbzjs3o8", "<p>nya</p>"))
    assert deliver_to_inbox(anon, helene, captured("pleroma/create-reply-to-misskey")).status_code == 202
    reply = RemotePost.objects.get(
        uri="https://p.helene.moe/objects/fd5910ac-d9dc-412e-8d1d-914b203296c4"
    ).post
    assert reply.text == "@mametsuko meow"
    assert reply.reply_to is not None and reply.reply_to.text == "nya"
    assert reply.reply_to.replies_count == 1


def test_update_edits_a_post_and_only_its_author_may(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = fediverse.actor(ADMIN)
    mallory = fediverse.actor("http://mastodon.example.org/users/mallory")
    activity = point_at(captured("mastodon/create-note-hashtag"), LAIN, actor_uri(ana))
    deliver_to_inbox(anon, admin, activity)
    edited = {**activity["object"], "content": "<p>edited #moo</p>", "summary": None, "sensitive": False}
    forged = {"id": f"{mallory.uri}#updates/1", "type": "Update", "actor": mallory.uri, "object": edited}
    deliver_to_inbox(anon, mallory, forged)
    post = Post.objects.get(author__domain="mastodon.example.org")
    assert post.edited_at is None
    update = {"id": f"{ADMIN}#updates/1", "type": "Update", "actor": ADMIN, "object": edited}  # constructed
    assert deliver_to_inbox(anon, admin, update).status_code == 202
    post.refresh_from_db()
    assert post.text == "edited #moo" and post.spoilers == [] and post.edited_at is not None
    assert post.edits.count() == 1


RINPATCH = "https://mastodon.sdf.org/users/rinpatch"


def test_mastodon_question_becomes_a_poll_with_its_counts(anon: Any, ana: Any, fediverse: Any) -> None:
    rinpatch = fediverse.actor(RINPATCH)
    follow_remote(ana, "rinpatch@mastodon.sdf.org")
    assert deliver_to_inbox(anon, rinpatch, captured("mastodon/create-question")).status_code == 202
    post = RemotePost.objects.get(
        uri="https://mastodon.sdf.org/users/rinpatch/statuses/102070944809637304"
    ).post
    assert post.text == "Why is Tenshi eating a corndog so cute?"
    options = list(post.poll.options.values_list("text", "votes_count"))
    assert options == [
        ("Dunno", 0),
        ("Everyone knows that!", 1),
        ("25 char limit is dumb", 0),
        ("I can't even fit a funny", 1),
    ]
    assert post.poll.votes_count == 2
    assert post.poll.expires_at.isoformat().startswith("2019-05-11T09:03:36")


def test_mastodon_vote_in_a_local_poll(anon: Any, ana: Any, fediverse: Any) -> None:
    rinpatch = fediverse.actor(RINPATCH)
    poll = ana.write("which?", poll_options=["suya..", "plain"])
    vote = point_at(
        captured("mastodon/vote"),
        "https://testing.uguu.ltd/objects/9d300947-2dcb-445d-8978-9a3b4b84fa14",
        post_uri(poll),
    )
    vote = point_at(vote, "https://testing.uguu.ltd/users/rin", actor_uri(ana))
    assert deliver_to_inbox(anon, rinpatch, vote).status_code == 202
    poll_out = ana.view(poll)["poll"]
    assert [o["votes"] for o in poll_out["options"]] == [1, 0] and poll_out["total_votes"] == 1


def test_a_local_vote_in_a_remote_poll_goes_to_its_author(anon: Any, ana: Any, fediverse: Any) -> None:
    rinpatch = fediverse.actor(RINPATCH)
    remote = follow_remote(ana, "rinpatch@mastodon.sdf.org")
    question = {  # constructed: an open poll (the captured one has long ended)
        "id": "https://mastodon.sdf.org/users/rinpatch/statuses/1",
        "type": "Question",
        "attributedTo": RINPATCH,
        "content": "<p>tea?</p>",
        "to": [PUBLIC],
        "endTime": "2099-01-01T00:00:00Z",
        "oneOf": [{"type": "Note", "name": "yes"}, {"type": "Note", "name": "no"}],
    }
    create = {"id": f"{question['id']}/activity", "type": "Create", "actor": RINPATCH, "object": question}
    deliver_to_inbox(anon, rinpatch, create)
    status = token_client(ana.account).get(f"/api/v1/accounts/{remote.pk}/statuses").json()[0]
    response = token_client(ana.account).post(f"/api/v1/polls/{status['poll']['id']}/votes", {"choices": [1]})
    assert response.status_code == 200, response.content
    [sent] = [d for d in fediverse.deliveries("Create") if d.activity["object"].get("name")]
    assert sent.activity["object"]["name"] == "no"
    assert sent.activity["object"]["inReplyTo"] == question["id"]
    assert sent.activity["to"] == [RINPATCH]


def test_move_makes_followers_follow_the_new_account(anon: Any, ana: Any, fediverse: Any) -> None:
    old = fediverse.actor("https://remote.example/users/old")
    follow_remote(ana, "old@remote.example")
    new = fediverse.actor("https://other.example/users/new")
    document = new.document()
    fediverse.serve_json(new.uri, {**document, "alsoKnownAs": [old.uri]})
    move = {
        "id": f"{old.uri}#moves/1",
        "type": "Move",
        "actor": old.uri,
        "object": old.uri,
        "target": new.uri,
    }
    assert deliver_to_inbox(anon, old, move).status_code == 202  # constructed (Mastodon's documented shape)
    assert Follow.objects.filter(follower_id=ana.id, followee__domain="other.example").exists()
    assert not Follow.objects.filter(follower_id=ana.id, followee__domain="remote.example").exists()
    assert [d.activity["object"] for d in fediverse.deliveries("Follow")][-1] == new.uri


def test_a_move_the_new_account_does_not_confirm_is_ignored(anon: Any, ana: Any, fediverse: Any) -> None:
    old = fediverse.actor("https://remote.example/users/old")
    follow_remote(ana, "old@remote.example")
    new = fediverse.actor("https://other.example/users/squatter")
    move = {
        "id": f"{old.uri}#moves/1",
        "type": "Move",
        "actor": old.uri,
        "object": old.uri,
        "target": new.uri,
    }
    deliver_to_inbox(anon, old, move)
    assert InboxItem.objects.get(activity_id=move["id"]).state == "ignored"
    assert Follow.objects.filter(follower_id=ana.id, followee__domain="remote.example").exists()
