"""Download your data (Settings → Security): a ZIP of JSON with the person's own posts (and media
references), likes, reposts, saves, follows and the direct messages they can see — and nothing of anyone
else's private data. Limited to a few a day."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from spool.exports.archive import EXPORT_LIMIT
from spool.identities.services import follow_account, update_profile
from spool.messaging.services import delete_for_me, send_message, start_conversation
from spool.posts.services import create_post, like_post, repost_post, save_post, upload_media
from tests.accounts.security import Browser, form_fields, member, sign_in
from tests.web.conftest import png_file

pytestmark = pytest.mark.django_db


def download(browser: Browser) -> Any:
    page = browser.get("/settings/security")
    return browser.http.post("/settings/export", form_fields(page))


def unzip(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    assert 'filename="spool-ana.zip"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: json.loads(archive.read(name)) if name.endswith(".json") else archive.read(name).decode()
            for name in archive.namelist()
        }


def test_the_archive_holds_ones_own_data_and_no_one_elses_private_data(on_commit: Any) -> None:
    ana, bea, cai = member("ana"), member("bea"), member("cai")
    update_profile(bea, is_private=True)
    # Ana's own writing, with an image.
    media = upload_media(ana, png_file(), alt_text="a blue square")
    mine = create_post(ana, text="Ana's first post", media_ids=[media.pk])
    reply = create_post(ana, text="Ana replies", reply_to_id=mine.pk)
    # Bea's private posts, one of which Ana may not see at all.
    follow_account(bea, ana)
    beas_secret = create_post(bea, text="Bea's followers-only secret")
    cais = create_post(cai, text="Cai in public")
    like_post(ana, cais.pk)
    save_post(ana, cais.pk)
    repost_post(ana, cais.pk)
    follow_account(ana, cai)
    # Direct messages: Ana with Bea (one later deleted for Ana), and Bea with Cai without Ana.
    first = start_conversation(ana, bea, text="hello Bea")
    send_message(bea, first.conversation_id, text="hi Ana")
    gone = send_message(bea, first.conversation_id, text="Ana deleted this one for herself")
    delete_for_me(ana, gone.pk)
    start_conversation(bea, cai, text="Bea to Cai, private")

    browser = Browser()
    sign_in(browser, "ana@example.com")
    files = unzip(download(browser))

    assert files["profile.json"]["handle"] == "ana" and files["profile.json"]["email"] == "ana@example.com"
    posts = {p["text"]: p for p in files["posts.json"]}
    assert set(posts) == {"Ana's first post", "Ana replies"}
    assert posts["Ana replies"]["reply_to"] == str(mine.pk)
    assert posts["Ana's first post"]["media"][0]["alt_text"] == "a blue square"
    assert posts["Ana's first post"]["media"][0]["url"].startswith("/media/")
    assert [r["post_id"] for r in files["likes.json"]] == [str(cais.pk)]
    assert [r["post_id"] for r in files["saves.json"]] == [str(cais.pk)]
    assert [r["post_id"] for r in files["reposts.json"]] == [str(cais.pk)]
    assert [p["handle"] for p in files["following.json"]] == ["cai"]
    assert [p["handle"] for p in files["followers.json"]] == ["bea"]
    texts = [m["text"] for m in files["messages.json"]]
    assert texts == ["hello Bea", "hi Ana"]
    assert "posts.json: 2" in files["README.txt"]

    everything = json.dumps({k: v for k, v in files.items() if k.endswith(".json")})
    for private in (
        "Bea's followers-only secret",
        "Bea to Cai, private",
        "Ana deleted this one",
        "bea@example",
    ):
        assert private not in everything
    assert str(beas_secret.pk) not in everything
    assert reply.pk  # Ana's reply is hers, listed above


def test_exports_are_limited_per_day() -> None:
    member("ana")
    browser = Browser()
    sign_in(browser, "ana@example.com")
    for _ in range(EXPORT_LIMIT.limit):
        assert download(browser).status_code == 200
    refused = download(browser)
    assert refused.status_code == 302
    assert "Too many data exports" in browser.get(refused["Location"]).content.decode()


def test_export_needs_sign_in() -> None:
    browser = Browser()
    page = browser.get("/login")
    response = browser.http.post("/settings/export", form_fields(page))
    assert response.status_code == 302 and response["Location"].startswith("/login")
