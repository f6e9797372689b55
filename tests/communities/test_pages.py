"""Communities from the web app: starting one with the form (its refusals readable beside their fields,
nothing written), and joined communities pinned in the home page's feed switcher."""

from __future__ import annotations

import pytest

from spool.communities.models import Community, Membership
from spool.communities.services import join_community, leave_community

pytestmark = pytest.mark.django_db


def test_a_moderator_starts_a_community_from_the_form(moderator, login):
    mod = login(moderator)
    assert "Start a community" in mod.get("/communities").content.decode()
    form = mod.get("/communities/new")
    assert form.status_code == 200 and 'name="flair_options"' in form.content.decode()
    made = mod.post(
        "/communities/new",
        {
            "topic": "#Chess",
            "name": "  Chess   club ",
            "slug": "",
            "description": "Openings, endgames.",
            "like_emoji": "♟️",
            "flair_options": "Beginner, Master ,",
        },
    )
    assert made.status_code == 302 and made["Location"] == "/c/chess-club"
    chess = Community.objects.get(slug="chess-club")
    assert (chess.name, chess.topic.display, chess.like_emoji) == ("Chess club", "Chess", "♟️")
    assert chess.flair_options == ["Beginner", "Master"] and chess.members_count == 1
    page = mod.get("/c/chess-club").content.decode()
    assert "Chess club" in page and "You are its first member" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"topic": ""}, "topic", "A community needs a topic."),
        ({"name": ""}, "name", "The name is required."),
        ({"name": "n" * 61}, "name", "at most 60 characters"),
        ({"slug": "Not A Slug"}, "slug", "lowercase letters, digits and hyphens"),
        ({"like_emoji": "ab"}, "like_emoji", "single emoji character"),
        ({"flair_options": "Pro, pro"}, "flair_options", "listed twice"),
        ({"flair_options": "x" * 25}, "flair_options", "at most 24 characters"),
        ({"flair_options": ", ".join(str(n) for n in range(11))}, "flair_options", "at most 10"),
        ({"description": "d" * 301}, "description", "at most 300 characters"),
    ],
)
def test_the_form_shows_what_is_wrong_beside_its_field(moderator, login, fields, field, message):
    mod = login(moderator)
    values = {"topic": "Chess", "name": "Chess club", "like_emoji": "", "flair_options": "", **fields}
    refused = mod.post("/communities/new", values)
    body = refused.content.decode()
    assert refused.status_code == 422
    assert f'id="id_{field}_error"' in body and message in body
    assert 'value="Chess' in body or fields.get("topic") == ""  # what was typed is kept
    assert not Community.objects.exists()


def test_taken_topics_and_addresses_are_refused_readably(moderator, login, community):
    mod = login(moderator)
    same_topic = mod.post("/communities/new", {"topic": "gardening", "name": "Other gardeners"})
    assert same_topic.status_code == 422
    assert "That topic already has a community." in same_topic.content.decode()
    same_slug = mod.post("/communities/new", {"topic": "Roses", "name": "Gardeners"})
    assert same_slug.status_code == 422 and "That address is taken." in same_slug.content.decode()
    assert Community.objects.count() == 1


def test_only_moderators_may_start_one(people, login, anon):
    ana = login(people("ana"))
    assert "Start a community" not in ana.get("/communities").content.decode()
    refused = ana.get("/communities/new")
    assert refused.status_code == 403 and "Only moderators can start a community." in refused.content.decode()
    ana.post("/communities/new", {"topic": "Chess", "name": "Chess club"})
    assert not Community.objects.exists() and not Membership.objects.exists()
    assert anon.get("/communities/new").status_code == 302  # to the sign-in page


def test_joined_communities_are_pinned_in_the_feed_switcher(people, login, community):
    ana_account = people("ana")
    ana = login(ana_account)
    assert "Gardeners" not in ana.get("/").content.decode()
    join_community(ana_account, "gardeners")
    switcher = ana.get("/").content.decode().split('aria-label="Feeds"')[1].split("</nav>")[0]
    assert 'href="/c/gardeners"' in switcher and ">Gardeners</a>" in switcher
    assert switcher.index("For You") < switcher.index("Gardeners") < switcher.index("Liked")
    leave_community(ana_account, "gardeners")
    assert 'href="/c/gardeners"' not in ana.get("/").content.decode()
