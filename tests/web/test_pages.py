"""Reading pages logged out and signed in: profile tabs, threads, topics, What's new, home, paging with and
without htmx, and the buttons (like, repost, save, vote, follow …) with and without htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spool.identities.models import Block, Follow, FollowRequest, Mute, Restrict
from spool.identities.services import follow_account
from spool.posts.models import Like, Post, PostEdit, Repost, Save
from spool.posts.services import like_post, repost_post
from tests.web.conftest import body, png_file

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ada(make_account):
    return make_account("ada", display_name="Ada Lovelace")


@pytest.fixture
def bob(make_account):
    return make_account("bob")


# --- Logged out -----------------------------------------------------------------------------------------


def test_logged_out_profile_with_tabs(anon, ada, bob, write):
    write(ada, "A thread of mine")
    other = write(bob, "Bob's post")
    write(ada, "A reply of mine", reply_to_id=other.id)
    repost_post(ada, other.id)
    page = body(anon.get("/@ada"))
    assert "Ada Lovelace" in page and "@ada" in page
    assert "A thread of mine" in page and "A reply of mine" not in page
    assert 'aria-current="page">Threads' in page
    assert "A reply of mine" in body(anon.get("/@ada?tab=replies"))
    reposts = body(anon.get("/@ada?tab=reposts"))
    assert "Bob&#x27;s post" in reposts or "Bob's post" in reposts
    assert "reposted" in reposts
    assert anon.get("/@ada?tab=media").status_code == 200
    assert anon.get("/@ada?tab=bogus").status_code == 404
    assert anon.get("/@nobody").status_code == 404
    # Handles are case-insensitive.
    assert anon.get("/@ADA").status_code == 200


def test_media_tab_shows_posts_with_images(login, anon, ada):
    login(ada).post("/compose", {"text": "With a picture", "media": [png_file()], "alt_texts": "A square"})
    page = body(anon.get("/@ada?tab=media"))
    assert "With a picture" in page and 'alt="A square"' in page


def test_logged_out_thread_page(anon, ada, bob, write):
    root = write(ada, "Root post")
    first = write(bob, "First reply", reply_to_id=root.id)
    nested = write(ada, "Nested reply", reply_to_id=first.id)
    page = body(anon.get(f"/@bob/post/{first.id}")).split("<main")[1]
    # Ancestors above, the post, then its replies.
    assert page.index("Root post") < page.index("First reply") < page.index("Nested reply")
    assert "Log in</a> or" in page and 'name="reply_to"' not in page
    assert f'href="/@ada/post/{nested.id}"' in page


def test_thread_with_wrong_handle_redirects(anon, ada, write):
    post = write(ada, "Mine")
    response = anon.get(f"/@someone/post/{post.id}")
    assert response.status_code == 302 and response["Location"] == f"/@ada/post/{post.id}"
    assert anon.get(f"/@ADA/post/{post.id}")["Location"] == f"/@ada/post/{post.id}"
    assert anon.get("/@ada/post/999999").status_code == 404


def test_topic_page(anon, ada, write):
    write(ada, "All about #Gardening today")
    write(ada, "Other", topic="Cooking")
    page = body(anon.get("/topic/gardening"))
    assert "All about" in page and "Other" not in page
    assert "<h1>Gardening</h1>" in page and "#Gardening</h1>" not in page
    assert anon.get("/topic/%23GARDENING").status_code == 200
    assert anon.get("/topic/nothing-here").status_code == 404


def test_whats_new_lists_newest_public_posts(anon, ada, bob, write):
    write(ada, "Older")
    write(bob, "Newer")
    page = body(anon.get("/new"))
    assert page.index("Newer") < page.index("Older")
    # Logged out, the home page sends visitors to What's new.
    assert anon.get("/")["Location"] == "/new"


def test_logged_out_buttons_prompt_sign_in(anon, ada, write):
    post = write(ada, "Like me")
    page = body(anon.get(f"/@ada/post/{post.id}"))
    assert f'href="/login?next=/%40ada/post/{post.id}"' in page or "/login?next=" in page
    response = anon.post(f"/@ada/post/{post.id}/like")
    assert response.status_code == 302 and response["Location"].startswith("/login")
    assert not Like.objects.exists()
    response = anon.post("/@ada/relationship", {"action": "follow"})
    assert response["Location"].startswith("/login") and not Follow.objects.exists()


# --- Home and paging ---------------------------------------------------------------------------------


def test_home_shows_followed_posts_newest_first(login, ada, bob, make_account, write):
    cy = make_account("cy")
    follow_account(ada, bob)
    write(bob, "Bob first")
    write(cy, "Stranger")
    write(ada, "My own")
    page = body(login(ada).get("/"))
    assert page.index("My own") < page.index("Bob first")
    assert "Stranger" not in page
    assert 'name="text"' in page  # the composer is on the home page


def test_load_more_without_and_with_htmx(login, ada, write):
    for i in range(25):
        write(ada, f"Post number {i:02d}")
    c = login(ada)
    page = body(c.get("/"))
    assert "Post number 24" in page and "Post number 04" not in page
    cursor = page.split("?cursor=")[1].split('"')[0]
    second = body(c.get(f"/?cursor={cursor}"))
    assert "<html" in second and "Post number 04" in second and "Post number 24" not in second
    fragment = c.get(f"/?cursor={cursor}", **HTMX)
    text = body(fragment)
    assert "<html" not in text and "Post number 00" in text
    assert "HX-Request" in fragment["Vary"]
    # Profiles and What's new page the same way.
    assert "Load more" in body(c.get("/@ada")) and "Load more" in body(c.get("/new"))
    assert "<html" not in body(c.get(f"/@ada?cursor={cursor}", **HTMX))
    assert c.get("/?cursor=nonsense").status_code == 302  # an invalid cursor is a message, not a crash


# --- Buttons --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "model"), [("like", Like), ("repost", Repost), ("save", Save)])
def test_post_buttons_without_js(login, ada, bob, write, action, model):
    post = write(bob, "Nice")
    c = login(ada)
    response = c.post(f"/@bob/post/{post.id}/{action}", HTTP_REFERER=f"http://testserver/@bob/post/{post.id}")
    assert response.status_code == 302 and response["Location"].endswith(f"/@bob/post/{post.id}")
    assert model.objects.filter(account=ada, post=post).exists()
    undo = {"like": "unlike", "repost": "unrepost", "save": "unsave"}[action]
    c.post(f"/@bob/post/{post.id}/{undo}")
    assert not model.objects.filter(account=ada, post=post).exists()


def test_like_with_htmx_returns_the_buttons(login, ada, bob, write):
    post = write(bob, "Nice")
    response = login(ada).post(f"/@bob/post/{post.id}/like", **HTMX)
    text = body(response)
    assert response.status_code == 200 and "<html" not in text
    assert f'id="actions-{post.id}"' in text and 'aria-pressed="true"' in text and "/unlike" in text
    post.refresh_from_db()
    assert post.likes_count == 1


def test_unknown_action_and_invisible_post(login, ada, make_account, write):
    secret = write(make_account("cy", private=True), "hidden")
    c = login(ada)
    assert c.post(f"/@cy/post/{secret.id}/explode").status_code == 404
    assert c.post(f"/@cy/post/{secret.id}/like").status_code == 404
    assert not Like.objects.exists()


def test_poll_vote_and_results_in_percent(login, ada, bob, make_account, write):
    post = write(bob, "Pick one", poll_options=["Tea", "Coffee", "Water"])
    c = login(ada)
    page = body(c.get(f"/@bob/post/{post.id}"))
    assert 'name="option" value="1"' in page
    assert c.post(f"/@bob/post/{post.id}/vote", {"option": "1"}).status_code == 302
    page = body(c.get(f"/@bob/post/{post.id}"))
    assert 'name="option"' not in page and "100%" in page and "1 vote" in page
    cy = make_account("cy")
    text = body(login(cy).post(f"/@bob/post/{post.id}/vote", {"option": "0"}, **HTMX))
    assert "<html" not in text and "50%" in text and "2 votes" in text
    # Voting twice or for a missing option is refused with a message; nothing changes.
    response = c.post(f"/@bob/post/{post.id}/vote", {"option": "0"}, HTTP_REFERER="/")
    assert response.status_code == 302
    assert "already voted" in body(c.get("/"))
    dee = login(make_account("dee"))
    assert dee.post(f"/@bob/post/{post.id}/vote", {"option": "7"}, **HTMX).status_code == 422
    post.poll.refresh_from_db()
    assert post.poll.votes_count == 2


def test_edit_within_15_minutes_with_history(login, ada, write):
    post = write(ada, "First draft", spoilers=[[6, 5]])
    c = login(ada)
    page = body(c.get(f"/@ada/post/{post.id}/edit"))
    assert "First ||draft||" in page  # spoilers come back in the same syntax
    response = c.post(f"/@ada/post/{post.id}/edit", {"text": "Second ||version||", "topic": "Drafts"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.text == "Second version" and post.spoilers == [[7, 7]] and post.edited_at
    page = body(c.get(f"/@ada/post/{post.id}"))
    assert "Edited" in page
    history = body(c.get(f"/@ada/post/{post.id}/history"))
    assert "Second" in history and "First" in history
    assert '<span class="spoiler" tabindex="0">draft</span>' in history  # old spoilers stay hidden too
    assert PostEdit.objects.filter(post=post).count() == 1


def test_edit_after_15_minutes_is_refused(login, ada, write):
    post = write(ada, "Old")
    Post.objects.filter(id=post.id).update(created_at=timezone.now() - timedelta(minutes=15, seconds=1))
    response = login(ada).post(f"/@ada/post/{post.id}/edit", {"text": "New"})
    assert response.status_code == 422 and "15 minutes" in body(response)
    post.refresh_from_db()
    assert post.text == "Old" and post.edited_at is None


def test_edit_bad_input_and_others_posts(login, ada, bob, write):
    post = write(ada, "Mine")
    c = login(ada)
    response = c.post(f"/@ada/post/{post.id}/edit", {"text": "z" * 501})
    assert response.status_code == 422 and 'id="id_text_error"' in body(response)
    post.refresh_from_db()
    assert post.text == "Mine"
    others = write(bob, "Bob's")
    assert c.get(f"/@bob/post/{others.id}/edit").status_code == 404
    assert c.post(f"/@bob/post/{others.id}/edit", {"text": "hijack"}).status_code == 404
    assert c.post(f"/@bob/post/{others.id}/delete").status_code == 404


def test_delete_post(login, ada, bob, write):
    root = write(bob, "Root")
    reply = write(ada, "My reply", reply_to_id=root.id)
    c = login(ada)
    assert "Delete this post?" in body(c.get(f"/@ada/post/{reply.id}/delete"))
    response = c.post(f"/@ada/post/{reply.id}/delete")
    assert response["Location"] == f"/@bob/post/{root.id}"
    assert not Post.objects.filter(id=reply.id).exists()
    mine = write(ada, "Mine")
    assert c.post(f"/@ada/post/{mine.id}/delete")["Location"] == "/@ada"


def test_hide_reply_by_thread_author(login, ada, bob, write):
    root = write(ada, "Root")
    reply = write(bob, "Rude reply", reply_to_id=root.id)
    c = login(ada)
    assert "Hide reply" in body(c.get(f"/@ada/post/{root.id}"))
    c.post(f"/@bob/post/{reply.id}/hide")
    reply.refresh_from_db()
    assert reply.hidden
    assert "You hid this reply" in body(c.get(f"/@ada/post/{root.id}"))


# --- Relationships ------------------------------------------------------------------------------------------


def test_follow_unfollow_with_and_without_htmx(login, ada, bob):
    c = login(ada)
    assert "Follow</button>" in body(c.get("/@bob"))
    response = c.post("/@bob/relationship", {"action": "follow", "next": "/@bob"})
    assert response["Location"] == "/@bob" and Follow.objects.filter(follower=ada, followee=bob).exists()
    assert "Following</button>" in body(c.get("/@bob"))
    text = body(c.post("/@bob/relationship", {"action": "unfollow"}, **HTMX))
    assert "<html" not in text and "Follow</button>" in text
    assert not Follow.objects.exists()


def test_follow_request_to_private_profile_and_withdraw(login, ada, make_account):
    make_account("priv", private=True)
    c = login(ada)
    text = body(c.post("/@priv/relationship", {"action": "follow"}, **HTMX))
    assert "Requested</button>" in text and FollowRequest.objects.exists()
    c.post("/@priv/relationship", {"action": "withdraw"})
    assert not FollowRequest.objects.exists()


def test_block_mute_restrict_from_the_profile_menu(login, ada, bob, anon):
    c = login(ada)
    page = body(c.get("/@bob"))
    for action in ("mute", "restrict", "block"):
        assert f'value="{action}"' in page
    c.post("/@bob/relationship", {"action": "mute"})
    c.post("/@bob/relationship", {"action": "restrict"})
    assert Mute.objects.exists() and Restrict.objects.exists()
    page = body(c.get("/@bob"))
    assert 'value="unmute"' in page and 'value="unrestrict"' in page and "You muted @bob" in page
    c.post("/@bob/relationship", {"action": "unmute"})
    c.post("/@bob/relationship", {"action": "unrestrict"})
    assert not Mute.objects.exists() and not Restrict.objects.exists()
    c.post("/@bob/relationship", {"action": "block"})
    assert Block.objects.filter(blocker=ada, blocked=bob).exists()
    page = body(c.get("/@bob"))
    assert "You blocked @bob" in page and 'value="unblock"' in page
    c.post("/@bob/relationship", {"action": "unblock"})
    assert not Block.objects.exists()
    assert c.post("/@bob/relationship", {"action": "befriend"}).status_code == 404


def test_cannot_follow_yourself(login, ada):
    c = login(ada)
    page = body(c.get("/@ada"))
    assert "Edit profile" in page and 'value="follow"' not in page
    response = c.post("/@ada/relationship", {"action": "follow"}, HTTP_REFERER="/@ada")
    assert response.status_code == 302
    assert not Follow.objects.exists()


def test_liked_by_counter_visible(anon, ada, bob, write):
    post = write(ada, "Counted")
    like_post(bob, post.id)
    page = body(anon.get(f"/@ada/post/{post.id}"))
    assert '<span class="count">1</span>' in page
