"""Creating communities, joining and leaving, flair: validation and permissions through the services, the
native API and the pages; refusals write nothing."""

from __future__ import annotations

import pytest

from spool.communities.models import Community, Membership
from spool.communities.reads import joined_communities
from spool.communities.services import create_community, join_community, leave_community, set_flair
from spool.core.errors import Conflict, Forbidden, NotFound, ValidationError

API = "/api/spool/v1/communities/"


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"like_emoji": "ab"}, "invalid_emoji"),
        ({"like_emoji": "🌱🌱"}, "invalid_emoji"),
        ({"flair_options": ["a"] * 11}, "invalid_flairs"),
        ({"flair_options": ["Pro", "pro"]}, "duplicate_flair"),
        ({"flair_options": ["x" * 25]}, "flair_too_long"),
        ({"slug": "Not A Slug"}, "invalid_slug"),
        ({"name": ""}, "name_required"),
        ({"name": "n" * 61}, "name_too_long"),
        ({"topic": "a.b"}, "topic_invalid_characters"),
    ],
)
def test_creating_checks_every_field_and_writes_nothing_on_refusal(moderator, options, code):
    values = {"topic": "Chess", "name": "Chess club", **options}
    with pytest.raises(ValidationError) as refused:
        create_community(moderator, **values)
    assert refused.value.code == code
    assert not Community.objects.exists()


def test_only_moderators_create_and_one_community_per_topic(people, moderator, community):
    with pytest.raises(Forbidden):
        create_community(people("ana"), topic="Chess", name="Chess club")
    with pytest.raises(Conflict):
        create_community(moderator, topic="#gardening", name="Other gardeners")
    with pytest.raises(Conflict):
        create_community(moderator, topic="Chess", name="Chess", slug="gardeners")
    assert Community.objects.count() == 1
    assert community.slug == "gardeners" and community.members_count == 1  # the creator joined
    assert create_community(moderator, topic="Cats", name="Cats", like_emoji="🐈").like_emoji == "🐈"


def test_join_and_leave_are_idempotent_and_keep_the_count_exact(people, community):
    ana = people("ana")
    first = join_community(ana, "gardeners")
    assert join_community(ana, "gardeners") == first
    community.refresh_from_db()
    assert community.members_count == 2
    assert joined_communities(ana) == [community] and joined_communities(None) == []
    assert leave_community(ana, "gardeners") and not leave_community(ana, "gardeners")
    community.refresh_from_db()
    assert community.members_count == 1
    with pytest.raises(NotFound):
        join_community(ana, "nowhere")


def test_flair_is_for_members_and_must_be_one_of_the_options(people, community):
    ana = people("ana")
    with pytest.raises(Forbidden):
        set_flair(ana, "gardeners", "Expert")
    join_community(ana, "gardeners")
    with pytest.raises(ValidationError):
        set_flair(ana, "gardeners", "Wizard")
    assert Membership.objects.get(account=ana).flair == ""
    assert set_flair(ana, "gardeners", "Expert").flair == "Expert"
    assert set_flair(ana, "gardeners", "").flair == ""


def test_the_api_joins_leaves_and_sets_flair(people, community, login, anon):
    ana = login(people("ana"))
    listed = anon.get(API).json()
    assert [c["slug"] for c in listed["items"]] == ["gardeners"] and listed["next_cursor"] is None
    shown = anon.get(f"{API}gardeners").json()
    assert (
        shown["like_emoji"] == "🌱"
        and shown["membership"] is None
        and shown["topic"]["display"] == "Gardening"
    )
    joined = ana.post(f"{API}gardeners/join").json()
    assert joined["members_count"] == 2 and joined["membership"]["flair"] == ""
    flair = ana.put(f"{API}gardeners/flair", {"flair": "Beginner"}, content_type="application/json")
    assert flair.json()["membership"]["flair"] == "Beginner"
    assert ana.post(f"{API}gardeners/leave").json()["membership"] is None


def test_the_api_refuses_bad_input_with_the_error_shape_and_writes_nothing(people, community, login, anon):
    ana = login(people("ana"))
    refused = ana.put(f"{API}gardeners/flair", {"flair": "Expert"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_member"
    ana.post(f"{API}gardeners/join")
    bad = ana.put(f"{API}gardeners/flair", {"flair": "Wizard"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json() == {
        "error": "Pick one of the community's flairs.",
        "code": "invalid_flair",
        "field": "flair",
    }
    wrong_type = ana.put(f"{API}gardeners/flair", {"flair": 5}, content_type="application/json")
    assert wrong_type.status_code == 422 and wrong_type.json()["field"] == "flair"
    assert Membership.objects.get(account__handle="ana").flair == ""
    assert anon.post(f"{API}gardeners/join").status_code in (401, 403)
    assert ana.post(f"{API}nowhere/join").status_code == 404
    made = ana.post(API, {"topic": "Chess", "name": "Chess"}, content_type="application/json")
    assert made.status_code == 403 and made.json()["code"] == "not_moderator"
    bad_feed = anon.get(f"{API}gardeners/feed", {"sort": "hot"})
    assert bad_feed.status_code == 422 and bad_feed.json()["field"] == "sort"
    assert anon.get(f"{API}gardeners/feed", {"cursor": "t.x"}).json()["code"] == "invalid_cursor"
    assert Community.objects.count() == 1


def test_moderators_create_through_the_api(moderator, login):
    made = login(moderator).post(
        API,
        {"topic": "Chess", "name": "Chess club", "like_emoji": "♟️", "flair_options": ["GM"]},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert made.json()["slug"] == "chess-club" and made.json()["membership"]["flair"] == ""


def test_the_pages_join_pick_flair_and_leave(people, community, login, anon):
    ana_account = people("ana")
    ana = login(ana_account)
    page = anon.get("/c/gardeners")
    assert page.status_code == 200 and "Log in to join" in page.content.decode()
    assert anon.post("/c/gardeners/join").status_code == 302  # to the sign-in page
    assert not Membership.objects.filter(account=ana_account).exists()
    ana.post("/c/gardeners/join")
    body = ana.get("/c/gardeners").content.decode()
    assert "Leave" in body and 'name="flair"' in body
    ana.post("/c/gardeners/flair", {"flair": "Wizard"}, HTTP_REFERER="/c/gardeners")
    assert Membership.objects.get(account=ana_account).flair == ""
    assert "Pick one of the community" in ana.get("/c/gardeners").content.decode()
    ana.post("/c/gardeners/flair", {"flair": "Expert"})
    profile = anon.get("/@ana").content.decode()
    assert "Gardeners" in profile and "Expert" in profile
    ana.post("/c/gardeners/leave")
    assert not Membership.objects.filter(account=ana_account).exists()
    assert ana.post("/c/gardeners/explode").status_code == 404
    directory = anon.get("/communities").content.decode()
    assert "Gardeners" in directory and "1 member" in directory
