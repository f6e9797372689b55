"""What degrades on the way to the fediverse, said by the composer before posting (the htmx note), after
posting (a message, so it works without JavaScript), and done by the sender — all three from
``spool.federation.degrade``, checked here against each other for every case."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from spool.federation.degrade import MESSAGES, Degradation, PostFeatures, degradations_of
from tests.federation.test_outbound import remote_follow

NOTE = "/compose/fediverse-note"


@pytest.fixture
def ana(federating: Any, anon: Any, fediverse: Any) -> Any:
    """ana shares to the fediverse and has a follower there, so her posts are sent."""
    someone = federating("ana")
    remote_follow(anon, fediverse, "https://remote.example/users/one", someone)
    return someone


def _codes(html: str) -> list[str]:
    return re.findall(r'<li data-code="([a-z_]+)">', html)


# (composer fields, what the composer and the sender say changes)
CASES = [
    ({"text": "plain words"}, []),
    ({"text": "a post", "attachment_text": "A long story " * 40}, ["text_attachment"]),
    ({"text": "the ending: ||he lives||"}, ["text_spoilers"]),
    ({"text": "about looms", "topic": "Weaving"}, ["topic"]),
    ({"text": "about #looms"}, ["topic"]),
    ({"text": "only some", "reply_control": "followers_only"}, ["reply_control"]),
    ({"text": "gone tomorrow", "ghost": "on", "topic": "Weaving"}, ["ghost"]),
    (
        {"text": "all of it ||secret||", "attachment_text": "more", "topic": "Looms"},
        ["text_attachment", "text_spoilers", "topic"],
    ),
]


@pytest.mark.parametrize(("fields", "expected"), CASES)
def test_the_composer_note_before_and_after_posting_and_the_sent_note_agree(
    ana: Any, fediverse: Any, fields: dict[str, str], expected: list[str]
) -> None:
    # Before posting: the note htmx fetches as the fields change.
    before = ana.client.post(NOTE, fields, HTTP_HX_REQUEST="true")
    assert before.status_code == 200
    assert _codes(before.content.decode()) == expected
    assert "Shared to the fediverse" in before.content.decode()

    # Posting through the page (no JavaScript): the same notes come back as a message.
    response = ana.client.post("/compose", fields, follow=True)
    assert response.status_code == 200, response.content
    page = html.unescape(response.content.decode())
    for code in expected:
        assert MESSAGES[Degradation(code)] in page
    if not expected:
        assert "On the fediverse:" not in page

    # What was sent matches what was said.
    creates = fediverse.deliveries("Create")
    if "ghost" in expected:
        assert creates == []
        return
    [create] = creates
    note = create.activity["object"]
    assert ("text_spoilers" in expected) == (note["summary"] == "Spoilers")
    assert ("text_attachment" in expected) == ("Read the full text on Spool" in note["content"])
    assert ("topic" in expected) == any(t["type"] == "Hashtag" for t in note["tag"])


def test_a_reply_carries_no_reply_controls_of_its_own() -> None:
    reply = PostFeatures(reply_control="followers_only", is_reply=True)
    assert degradations_of(reply) == []
    assert degradations_of(PostFeatures(reply_control="followers_only")) == [Degradation.REPLY_CONTROL]


def test_every_degradation_has_a_message_and_a_row_in_the_docs() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "federation.md").read_text()
    section = docs.split("### What degrades on the way out", 1)[1].split("\n## ", 1)[0]
    for code in Degradation:
        assert MESSAGES[code]
        assert f"`{code.value}`" in section, code


def test_people_not_sharing_get_no_note_and_no_message(person: Any) -> None:
    ben = person("ben")
    note = ben.client.post(NOTE, {"text": "x", "attachment_text": "long"}, HTTP_HX_REQUEST="true")
    assert note.status_code == 200
    assert "hidden" in note.content.decode() and "hx-post" not in note.content.decode()
    assert note["HX-Reswap"] == "outerHTML"  # replaces the live note, so no more requests come
    page = ben.client.post("/compose", {"text": "x", "attachment_text": "long"}, follow=True)
    assert "On the fediverse:" not in page.content.decode()


def test_the_compose_page_shows_the_note_for_people_sharing(ana: Any) -> None:
    html = ana.client.get("/compose").content.decode()
    assert 'id="fediverse-note"' in html and "Shared to the fediverse" in html
    assert 'hx-post="/compose/fediverse-note"' in html


def test_the_note_endpoint_needs_a_signed_in_post(anon: Any) -> None:
    assert anon.post(NOTE, {"text": "x"}).status_code == 302
