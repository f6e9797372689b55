"""The For You page, its steering forms (with and without htmx), explanations, the topic page's Follow button
and Settings → For You (Dear Algo requests and followed topics)."""

from __future__ import annotations

import pytest

from spool.feeds.for_you.models import DearAlgoRequest, PostFeedback, TopicFollow
from spool.identities.services import follow_account
from tests.web.conftest import body

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ana_follows_bo(make_account, login, on_commit):
    ana, bo = make_account("ana"), make_account("bo")
    follow_account(ana, bo)
    return login(ana), ana, bo


def test_for_you_needs_sign_in(anon):
    for url in ("/for-you", "/settings/for-you"):
        response = anon.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login?next=")


def test_the_page_shows_posts_with_why_and_steering(ana_follows_bo, write):
    c, _, bo = ana_follows_bo
    post = write(bo, "Hello For You")
    page = body(c.get("/for-you"))
    assert "Hello For You" in page
    assert '<details class="why">' in page and "You follow @bo" in page
    for kind in ("more", "less", "not_interested"):
        assert f'value="{kind}"' in page
    assert f'action="/for-you/feedback/{post.id}"' in page
    assert 'href="/settings/for-you"' in page


def test_not_interested_without_js_takes_the_post_away(ana_follows_bo, write):
    c, ana, bo = ana_follows_bo
    post = write(bo, "Not for me")
    response = c.post(f"/for-you/feedback/{post.id}", {"kind": "not_interested", "next": "/for-you"})
    assert response.status_code == 302 and response["Location"] == "/for-you"
    assert PostFeedback.objects.get(account=ana).kind == "not_interested"
    assert "Not for me" not in body(c.get("/for-you"))


def test_steering_with_htmx_answers_a_note_with_undo(ana_follows_bo, write):
    c, ana, bo = ana_follows_bo
    post = write(bo, "Maybe")
    note = body(c.post(f"/for-you/feedback/{post.id}", {"kind": "less"}, **HTMX))
    assert f'id="post-{post.id}"' in note and "fewer posts like this" in note and 'value="undo"' in note
    undone = body(c.post(f"/for-you/feedback/{post.id}", {"kind": "undo"}, **HTMX))
    assert "Undone." in undone and not PostFeedback.objects.exists()
    more = body(c.post(f"/for-you/feedback/{post.id}", {"kind": "more"}, **HTMX))
    assert "more posts like this" in more
    assert PostFeedback.objects.get(account=ana).kind == "more"


def test_steering_refusals(ana_follows_bo, write, make_account):
    c, ana, _ = ana_follows_bo
    own = write(ana, "mine")
    assert c.post("/for-you/feedback/999999", {"kind": "less"}).status_code == 404
    refused = c.post(f"/for-you/feedback/{own.id}", {"kind": "less"}, **HTMX)
    assert refused.status_code == 422 and "own posts" in body(refused)
    assert c.post(f"/for-you/feedback/{own.id}", {"kind": "bogus"}, **HTMX).status_code == 422
    assert c.get(f"/for-you/feedback/{own.id}").status_code == 405
    assert not PostFeedback.objects.exists()


def test_load_more_with_htmx_is_a_fragment(ana_follows_bo, write, make_account, on_commit):
    c, ana, _ = ana_follows_bo
    for n in range(25):
        author = make_account(f"p{n}")
        follow_account(ana, author)
        write(author, f"post {n}")
    page = body(c.get("/for-you"))
    assert page.count('class="why"') == 20 and "Load more" in page
    cursor = page.split("cursor=")[1].split('"')[0]
    fragment = body(c.get("/for-you", {"cursor": cursor}, **HTMX))
    assert "<html" not in fragment and fragment.count('class="why"') == 5
    assert c.get("/for-you", {"cursor": "junk"}).status_code == 302  # a readable message, back where one was


def test_topic_page_follow_button(ana_follows_bo, write):
    c, ana, bo = ana_follows_bo
    write(bo, "rides", topic="Cycling")
    page = body(c.get("/topic/Cycling"))
    assert 'action="/topic/Cycling/follow"' in page and "Follow topic" in page
    response = c.post("/topic/Cycling/follow")
    assert response.status_code == 302 and TopicFollow.objects.filter(account=ana).exists()
    page = body(c.get("/topic/Cycling"))
    assert 'action="/topic/Cycling/unfollow"' in page and "Following" in page
    fragment = body(c.post("/topic/Cycling/unfollow", **HTMX))
    assert "Follow topic" in fragment and not TopicFollow.objects.exists()
    assert c.post("/topic/Cycling/nonsense").status_code == 404
    assert c.post("/topic/a.b/follow", **HTMX).status_code == 422
    assert not TopicFollow.objects.exists()


def test_settings_dear_algo_and_topics(ana_follows_bo, make_account, on_commit):
    c, ana, _ = ana_follows_bo
    page = body(c.get("/settings/for-you"))
    assert 'name="text"' in page and "No active requests." in page
    response = c.post("/settings/for-you", {"text": "Show me more about cycling, less politics"})
    assert response.status_code == 302
    page = body(c.get("/settings/for-you"))
    assert "More: cycling." in page and "Less: politics." in page
    request = DearAlgoRequest.objects.get(account=ana)
    assert c.post(f"/settings/dear-algo-nope/{request.id}").status_code == 404
    c.post(f"/settings/for-you/dear-algo/{request.id}/revoke")
    assert "No active requests." in body(c.get("/settings/for-you"))

    too_long = c.post("/settings/for-you", {"text": "x" * 300})
    assert too_long.status_code == 422 and "at most 280" in body(too_long)
    vague = c.post("/settings/for-you", {"text": "hello"})
    assert vague.status_code == 422 and "more cycling" in body(vague)
    assert DearAlgoRequest.objects.filter(account=ana).count() == 1

    other = make_account("cy")
    theirs = DearAlgoRequest.objects.create(
        account=other, text="more jazz", more=["jazz"], expires_at=request.expires_at
    )
    assert c.post(f"/settings/for-you/dear-algo/{theirs.id}/revoke").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None

    c.post("/topic/Jazz/follow")
    page = body(c.get("/settings/for-you"))
    assert 'href="/topic/Jazz"' in page and 'action="/topic/Jazz/unfollow"' in page
