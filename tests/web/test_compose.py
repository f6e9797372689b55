"""The composer: every post option through the form, the ||spoiler|| syntax, limits at their edges, and
bad input that shows a message beside the field and changes nothing."""

from __future__ import annotations

import pytest

from spool.posts.models import Media, Poll, Post
from tests.web.conftest import body, png_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(make_account):
    return make_account("ada")


@pytest.fixture
def c(login, ada):
    return login(ada)


def compose(c, **data):
    return c.post("/compose", data)


def test_compose_page_documents_every_option(c):
    page = body(c.get("/compose"))
    for name in (
        "text",
        "topic",
        "media",
        "alt_texts",
        "media_spoiler",
        "poll_option_1",
        "poll_option_4",
        "attachment_text",
        "reply_control",
        "ghost",
    ):
        assert f'name="{name}"' in page, name
    assert "||like this||" in page  # the spoiler syntax is explained on the page
    assert 'enctype="multipart/form-data"' in page
    assert 'data-count-limit="500"' in page


def test_compose_needs_sign_in(anon):
    response = anon.get("/compose")
    assert response.status_code == 302 and response["Location"].startswith("/login")
    response = anon.post("/compose", {"text": "hi"})
    assert response.status_code == 302 and not Post.objects.exists()


def test_post_with_topic_and_spoilers(c, ada):
    response = compose(c, text="The twist: ||the butler|| did it, ||twice||", topic="Mystery Books")
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/@ada/post/{post.id}"
    assert post.text == "The twist: the butler did it, twice"
    assert post.spoilers == [[11, 10], [30, 5]]
    assert post.topic.display == "Mystery Books"
    page = body(c.get(response["Location"]))
    # Spoilers are in the page, hidden by default (CSS hides .spoiler until focused or revealed).
    assert '<span class="spoiler" tabindex="0">the butler</span>' in page
    assert 'class="spoiler revealed"' not in page
    # The topic is shown without '#', linking to its page.
    assert ">Mystery Books</a>" in page and 'href="/topic/mystery%20books"' in page


def test_hashtag_in_text_sets_topic(c):
    compose(c, text="Loving #Django today")
    assert Post.objects.get().topic.display == "Django"


def test_text_limit_500_vs_501(c):
    assert compose(c, text="x" * 500).status_code == 302
    response = compose(c, text="y" * 501)
    assert response.status_code == 422
    page = body(response)
    assert 'id="id_text_error"' in page and "at most 500 characters" in page
    assert Post.objects.count() == 1
    assert "y" * 501 in page  # what was typed comes back


def test_spoiler_markers_do_not_count(c):
    assert compose(c, text="||" + "x" * 500 + "||").status_code == 302


def test_ten_spoilers_fine_eleven_refused(c):
    ten = " ".join(f"||s{i}||" for i in range(10))
    assert compose(c, text=ten).status_code == 302
    eleven = " ".join(f"||s{i}||" for i in range(11))
    response = compose(c, text=eleven)
    assert response.status_code == 422
    assert "at most 10 spoilers" in body(response)
    assert Post.objects.count() == 1


def test_poll_two_to_four_options(c):
    assert compose(c, text="Pick", poll_option_1="A", poll_option_2="B").status_code == 302
    assert (
        compose(
            c, text="Pick", poll_option_1="A", poll_option_2="B", poll_option_3="C", poll_option_4="D"
        ).status_code
        == 302
    )
    response = compose(c, text="Pick", poll_option_1="Only one")
    assert response.status_code == 422
    page = body(response)
    assert 'id="id_poll_option_1_error"' in page and "2 to 4 options" in page
    response = compose(c, text="Pick", poll_option_1="A", poll_option_2="x" * 26)
    assert response.status_code == 422 and "1 to 25 characters" in body(response)
    assert Poll.objects.count() == 2


def test_images_with_alt_text_and_media_spoiler(c):
    response = c.post(
        "/compose",
        {
            "text": "Two pictures",
            "media": [png_file("a.png"), png_file("b.png", color=(1, 2, 3))],
            "alt_texts": "A blue square\nA dark square",
            "media_spoiler": "on",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert list(post.media.order_by("position").values_list("alt_text", flat=True)) == [
        "A blue square",
        "A dark square",
    ]
    assert post.media_spoiler
    page = body(c.get(response["Location"]))
    assert 'class="media media-spoiler"' in page and 'class="media-reveal"' in page
    assert 'alt="A blue square"' in page


def test_per_image_alt_fields_win_over_the_textarea(c):
    c.post(
        "/compose",
        {"text": "x", "media": [png_file()], "alt_text": ["From the field"], "alt_texts": "From lines"},
    )
    assert Media.objects.get().alt_text == "From the field"


def test_twenty_images_fine_twenty_one_refused(c):
    files = [png_file(f"{i}.png", size=8) for i in range(20)]
    assert c.post("/compose", {"text": "many", "media": files}).status_code == 302
    assert Media.objects.count() == 20
    files = [png_file(f"{i}.png", size=8) for i in range(21)]
    response = c.post("/compose", {"text": "too many", "media": files})
    assert response.status_code == 422
    assert "at most 20 images" in body(response)
    assert Media.objects.count() == 20 and Post.objects.count() == 1


def test_wrong_image_type_refused_and_nothing_kept(c):
    bogus = png_file()
    bogus.seek(0)
    bogus = type(bogus)(b"GIF89a not really an image")
    bogus.name = "fake.gif"
    response = c.post("/compose", {"text": "Look", "media": [png_file(), bogus]})
    assert response.status_code == 422
    assert 'role="alert"' in body(response)
    assert not Post.objects.exists() and not Media.objects.exists()


def test_text_attachment_with_styles(c):
    response = compose(c, text="Read this", attachment_text="A **bold** and ==marked== story")
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.attachment_text == "A bold and marked story"
    assert post.attachment_styles == [
        {"offset": 2, "length": 4, "styles": ["bold"]},
        {"offset": 11, "length": 6, "styles": ["highlight"]},
    ]
    page = body(c.get(response["Location"]))
    assert "<strong>bold</strong>" in page


def test_attachment_over_10000_refused(c):
    response = compose(c, text="Long", attachment_text="a" * 10_001)
    assert response.status_code == 422 and 'id="id_attachment_text_error"' in body(response)
    assert compose(c, text="Long", attachment_text="a" * 10_000).status_code == 302


def test_reply_control_and_ghost(c):
    compose(c, text="Only followers", reply_control="followers_only")
    assert Post.objects.get().reply_control == "followers_only"
    compose(c, text="Boo", ghost="on")
    ghost = Post.objects.get(text="Boo")
    assert ghost.ghost == "active" and ghost.expires_at is not None
    page = body(c.get(f"/@ada/post/{ghost.id}"))
    assert "Ghost post" in page


def test_bad_reply_control_and_topic(c):
    response = compose(c, text="x", reply_control="nobody")
    assert response.status_code == 422
    response = compose(c, text="x", topic="a.b")
    assert response.status_code == 422 and 'id="id_topic_error"' in body(response)
    assert not Post.objects.exists()


def test_empty_post_refused(c):
    response = compose(c, text="   ")
    assert response.status_code == 422 and "Write something" in body(response)


def test_html_is_escaped(c):
    compose(c, text="<script>alert(1)</script> <b>bold</b>")
    page = body(c.get(f"/@ada/post/{Post.objects.get().id}"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_reply_and_quote(c, make_account, write):
    bob = make_account("bob")
    original = write(bob, "Original thought")
    page = body(c.get(f"/@bob/post/{original.id}"))
    assert f'name="reply_to" value="{original.id}"' in page
    response = c.post(
        "/compose", {"text": "My reply", "reply_to": original.id, "next": f"/@bob/post/{original.id}"}
    )
    reply = Post.objects.get(text="My reply")
    assert response["Location"] == f"/@bob/post/{original.id}#post-{reply.id}"
    assert reply.reply_to_id == original.id
    page = body(c.get(f"/compose?quote={original.id}"))
    assert "Original thought" in page and f'name="quote_of" value="{original.id}"' in page
    response = c.post("/compose", {"text": "Quoting", "quote_of": original.id})
    quote = Post.objects.get(text="Quoting")
    assert quote.quote_of_id == original.id
    page = body(c.get(response["Location"]))
    assert 'class="quote"' in page and "Original thought" in page


def test_reply_refused_by_reply_control(c, make_account, write):
    bob = make_account("bob")
    closed = write(bob, "Only me", reply_control="parent_post_author_only")
    page = body(c.get(f"/@bob/post/{closed.id}"))
    assert 'name="reply_to"' not in page and "Only the author can reply." in page
    response = c.post("/compose", {"text": "sneaky", "reply_to": closed.id})
    assert response.status_code == 422 and "Only the author can reply." in body(response)
    assert not Post.objects.filter(text="sneaky").exists()


def test_reply_to_invisible_post_is_not_found(c, make_account, write):
    secret = write(make_account("bob", private=True), "private")
    assert c.get(f"/compose?reply_to={secret.id}").status_code == 404
    response = c.post("/compose", {"text": "hi", "reply_to": secret.id})
    assert response.status_code == 404
    assert not Post.objects.filter(text="hi").exists()
