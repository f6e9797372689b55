"""``/api/v2/filters`` (and v1 read-only): CRUD with keywords and statuses, form and JSON bodies,
ownership, scopes, 422 without a write; ``filtered`` on statuses is covered with the timelines."""

from __future__ import annotations

from urllib.parse import urlencode

from spool.identities.models import FilterKeyword, FilterPost, WordFilter
from spool.identities.services import update_profile
from spool.posts.services import create_post
from tests.api.mastodon.shapes import assert_shape

V2 = "/api/v2/filters"


def test_a_filter_is_created_from_a_form_with_keywords(mastodon):
    ana = mastodon("ana")
    body = urlencode(
        [
            ("title", "Spoilers"),
            ("context[]", "home"),
            ("context[]", "public"),
            ("filter_action", "hide"),
            ("expires_in", "3600"),
            ("keywords_attributes[][keyword]", "finale"),
            ("keywords_attributes[][whole_word]", "false"),
            ("keywords_attributes[][keyword]", "cliffhanger"),
        ]
    )
    created = ana.client.post(V2, body, content_type="application/x-www-form-urlencoded")
    assert created.status_code == 200, created.content
    entity = created.json()
    assert_shape("Filter", entity)
    assert (entity["title"], entity["context"], entity["filter_action"]) == (
        "Spoilers",
        ["home", "public"],
        "hide",
    )
    assert entity["expires_at"] is not None
    assert [(k["keyword"], k["whole_word"]) for k in entity["keywords"]] == [
        ("finale", False),
        ("cliffhanger", True),
    ]
    assert ana.get(V2).json() == [entity]
    indexed = urlencode({"title": "B", "context[]": "home", "keywords_attributes[0][keyword]": "x"})
    created = ana.client.post(V2, indexed, content_type="application/x-www-form-urlencoded").json()
    assert [k["keyword"] for k in created["keywords"]] == ["x"]
    assert ana.get(f"{V2}/{entity['id']}").json() == entity


def test_a_filter_is_updated_with_keyword_changes_by_json(mastodon):
    ana = mastodon("ana")
    entity = ana.post(
        V2,
        {
            "title": "TV",
            "context": ["home"],
            "keywords_attributes": [{"keyword": "finale"}, {"keyword": "s03"}],
        },
    ).json()
    finale, s03 = entity["keywords"]
    updated = ana.put(
        f"{V2}/{entity['id']}",
        {
            "title": "Television",
            "filter_action": "blur",
            "keywords_attributes": [
                {"id": s03["id"], "_destroy": True},
                {"id": finale["id"], "whole_word": False},
                {"keyword": "cliffhanger"},
            ],
        },
    )
    assert updated.status_code == 200, updated.content
    result = updated.json()
    assert (result["title"], result["filter_action"], result["expires_at"]) == ("Television", "blur", None)
    assert [(k["keyword"], k["whole_word"]) for k in result["keywords"]] == [
        ("finale", False),
        ("cliffhanger", True),
    ]
    assert ana.delete(f"{V2}/{entity['id']}").status_code == 200
    assert ana.get(V2).json() == [] and not FilterKeyword.objects.exists()


def test_keywords_sub_resource(mastodon):
    ana = mastodon("ana")
    f = ana.post(V2, {"title": "A", "context": ["home"]}).json()
    added = ana.post(f"{V2}/{f['id']}/keywords", {"keyword": "word", "whole_word": False})
    assert added.status_code == 200
    assert_shape("FilterKeyword", added.json())
    keyword_id = added.json()["id"]
    assert ana.get(f"{V2}/{f['id']}/keywords").json() == [added.json()]
    assert ana.get(f"{V2}/keywords/{keyword_id}").json()["keyword"] == "word"
    changed = ana.put(f"{V2}/keywords/{keyword_id}", {"keyword": "words", "whole_word": True}).json()
    assert (changed["keyword"], changed["whole_word"]) == ("words", True)
    v1 = ana.get("/api/v1/filters").json()
    assert_shape("V1Filter", v1)
    assert [(x["id"], x["phrase"], x["irreversible"]) for x in v1] == [(keyword_id, "words", False)]
    assert ana.get(f"/api/v1/filters/{keyword_id}").json()["phrase"] == "words"
    assert ana.delete(f"{V2}/keywords/{keyword_id}").status_code == 200
    assert ana.get(f"{V2}/keywords/{keyword_id}").status_code == 404


def test_statuses_sub_resource_needs_a_visible_status(mastodon):
    ana, bo = mastodon("ana"), mastodon("bo")
    f = ana.post(V2, {"title": "A", "context": ["thread"], "filter_action": "hide"}).json()
    post = create_post(bo.account, text="this one")
    added = ana.post(f"{V2}/{f['id']}/statuses", {"status_id": str(post.id)})
    assert added.status_code == 200
    assert_shape("FilterStatus", added.json())
    assert added.json()["status_id"] == str(post.id)
    assert ana.get(f"{V2}/{f['id']}/statuses").json() == [added.json()]
    assert ana.get(f"{V2}/statuses/{added.json()['id']}").json() == added.json()
    secret = create_post(bo.account, text="private")
    update_profile(bo.account, is_private=True)
    assert ana.post(f"{V2}/{f['id']}/statuses", {"status_id": str(secret.id)}).status_code == 404
    assert ana.delete(f"{V2}/statuses/{added.json()['id']}").json() == added.json()
    assert not FilterPost.objects.exists()


def test_bad_input_is_422_and_writes_nothing(mastodon):
    ana = mastodon("ana")
    for body in (
        {"context": ["home"]},
        {"title": "A"},
        {"title": "A", "context": ["nowhere"]},
        {"title": "A", "context": ["home"], "filter_action": "delete"},
        {"title": "A", "context": ["home"], "expires_in": "soon"},
        {"title": "A", "context": ["home"], "keywords_attributes": [{"keyword": ""}]},
        {"title": "A", "context": ["home"], "keywords_attributes": "nope"},
    ):
        response = ana.post(V2, body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["error"]
    assert not WordFilter.objects.exists()
    f = ana.post(V2, {"title": "A", "context": ["home"]}).json()
    assert ana.put(f"{V2}/{f['id']}", {"title": "B", "context": []}).status_code == 422
    assert ana.post(f"{V2}/{f['id']}/keywords", {"keyword": "  "}).status_code == 422
    assert ana.post(f"{V2}/{f['id']}/statuses", {}).status_code == 422
    assert WordFilter.objects.get().title == "A" and not FilterKeyword.objects.exists()


def test_someone_elses_filter_is_404_and_untouched(mastodon):
    ana, eve = mastodon("ana"), mastodon("eve")
    f = ana.post(V2, {"title": "A", "context": ["home"], "keywords_attributes": [{"keyword": "k"}]}).json()
    keyword_id = f["keywords"][0]["id"]
    for response in (
        eve.get(f"{V2}/{f['id']}"),
        eve.put(f"{V2}/{f['id']}", {"title": "B"}),
        eve.delete(f"{V2}/{f['id']}"),
        eve.get(f"{V2}/{f['id']}/keywords"),
        eve.post(f"{V2}/{f['id']}/keywords", {"keyword": "x"}),
        eve.get(f"{V2}/keywords/{keyword_id}"),
        eve.put(f"{V2}/keywords/{keyword_id}", {"keyword": "x"}),
        eve.delete(f"{V2}/keywords/{keyword_id}"),
        eve.get(f"/api/v1/filters/{keyword_id}"),
        ana.get(f"{V2}/nonsense"),
    ):
        assert response.status_code == 404
    assert eve.get(V2).json() == []
    assert WordFilter.objects.get().title == "A" and FilterKeyword.objects.get().keyword == "k"


def test_scopes(mastodon, anon):
    reader = mastodon("ana", scopes="read:filters")
    assert reader.get(V2).status_code == 200
    assert reader.post(V2, {"title": "A", "context": ["home"]}).status_code == 403
    assert mastodon("ana", scopes="write:filters").get(V2).status_code == 403
    assert anon.get(V2).status_code == 401
    assert not WordFilter.objects.exists()
