"""Download your data (Settings → Security): asked for on the page, built by a background task, then
downloaded from the page — a ZIP of JSON with the person's own posts (and media references), likes,
reposts, saves, follows and the direct messages they can see, and nothing of anyone else's private data.
Limited to a few a day."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from spool.exports.models import DataExport
from spool.exports.services import EXPORT_LIMIT, request_data_export
from spool.exports.tasks import build_data_export, expire_data_exports
from spool.identities.services import follow_account, update_profile
from spool.messaging.services import delete_for_me, send_message, start_conversation
from spool.posts.services import create_post, like_post, repost_post, save_post, upload_media
from tests.accounts.security import Browser, form_fields, member, sign_in
from tests.web.conftest import png_file

pytestmark = pytest.mark.django_db


DOWNLOAD_LINK = re.compile(r'href="(/settings/export/\d+/download)"')


def ask(browser: Browser) -> Any:
    """Press "Prepare your data" (the task runs when the request commits, as a worker would pick it up)."""
    page = browser.get("/settings/security")
    return browser.http.post("/settings/export", form_fields(page))


def download(browser: Browser) -> Any:
    asked = ask(browser)
    assert asked.status_code == 302 and asked["Location"] == "/settings/security#export", asked
    page = browser.get("/settings/security").content.decode()
    link = DOWNLOAD_LINK.search(page)
    assert link, page
    return browser.get(link.group(1))


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
    refused = ask(browser)
    assert refused.status_code == 302
    assert "Too many data exports" in browser.get(refused["Location"]).content.decode()


def test_export_needs_sign_in() -> None:
    browser = Browser()
    page = browser.get("/login")
    response = browser.http.post("/settings/export", form_fields(page))
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_the_page_shows_the_export_while_it_is_built_then_offers_it_to_its_owner_only() -> None:
    ana, bea = member("ana"), member("bea")
    create_post(ana, text="Ana's post")
    # Asked, and the task not run yet (this test's transaction never commits): the page says so and polls.
    export = request_data_export(ana)
    browser = Browser()
    sign_in(browser, "ana@example.com")
    page = browser.get("/settings/security").content.decode()
    assert "Preparing your data" in page and 'hx-get="/settings/export/status"' in page
    assert not DOWNLOAD_LINK.search(page)
    assert f"/settings/export/{export.pk}/download" not in page
    assert browser.get(f"/settings/export/{export.pk}/download").status_code == 404
    # Asking again while it is built gives the same export and counts nothing.
    assert request_data_export(ana).pk == export.pk

    build_data_export.delay(export.pk)  # what the worker runs

    status = browser.get("/settings/export/status").content.decode()
    assert "Preparing" not in status and "hx-get" not in status
    link = DOWNLOAD_LINK.search(status)
    assert link and link.group(1) == f"/settings/export/{export.pk}/download"
    files = unzip(browser.get(link.group(1)))
    assert [p["text"] for p in files["posts.json"]] == ["Ana's post"]
    # Bea cannot fetch Ana's file, even knowing its address.
    other = Browser()
    sign_in(other, "bea@example.com")
    assert other.get(link.group(1)).status_code == 404
    assert bea.pk and not DOWNLOAD_LINK.search(other.get("/settings/security").content.decode())


def test_a_newer_export_replaces_the_older_file(django_capture_on_commit_callbacks: Any) -> None:
    ana = member("ana")
    with django_capture_on_commit_callbacks(execute=True):
        first = request_data_export(ana)
    first.refresh_from_db()
    assert first.state == "ready" and first.file.storage.exists(first.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        second = request_data_export(ana)
    second.refresh_from_db()
    assert second.state == "ready"
    assert not first.file.storage.exists(first.file.name)
    browser = Browser()
    sign_in(browser, "ana@example.com")
    assert browser.get(f"/settings/export/{first.pk}/download").status_code == 404
    assert browser.get(f"/settings/export/{second.pk}/download").status_code == 200


def broken_exports_folder(settings: Any) -> Path:
    """Ana signed in, and a storage write that really fails: where the exports folder should be there is a
    file, so the ZIP cannot be written (as on a full or read-only disk). Root ignores permission bits, so no
    chmod. Unlinking the returned path fixes the disk."""
    member("ana")
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    (media / "exports").write_bytes(b"not a folder")
    return media / "exports"


def test_a_failed_export_shows_as_failed_and_asking_again_works(settings: Any) -> None:
    broken = broken_exports_folder(settings)
    browser = Browser()
    sign_in(browser, "ana@example.com")
    asked = ask(browser)
    assert asked.status_code == 302
    failed = DataExport.objects.get()
    assert failed.state == "failed" and not failed.file and failed.finished_at is not None
    page = browser.get("/settings/security").content.decode()
    assert "Preparing your data failed. Please ask again." in page
    assert "hx-get" not in page and not DOWNLOAD_LINK.search(page)
    assert browser.get(f"/settings/export/{failed.pk}/download").status_code == 404
    broken.unlink()  # the disk is fixed; the person asks again
    assert unzip(download(browser))["profile.json"]["handle"] == "ana"
    assert list(DataExport.objects.values_list("state", flat=True)) == ["ready"]  # the failed one is gone


def test_a_failed_export_does_not_count_against_the_daily_limit(settings: Any) -> None:
    """The quota counts exports one could download: after one that failed the whole day's allowance is still
    there, and the one after it is refused."""
    broken = broken_exports_folder(settings)
    browser = Browser()
    sign_in(browser, "ana@example.com")
    assert ask(browser).status_code == 302
    assert DataExport.objects.get().state == "failed"
    broken.unlink()
    for _ in range(EXPORT_LIMIT.limit):
        assert download(browser).status_code == 200
    refused = ask(browser)
    assert "Too many data exports" in browser.get(refused["Location"]).content.decode()


def built(account: Any, capture: Any) -> DataExport:
    """An export asked for and built (the task runs when the request commits)."""
    with capture(execute=True):
        export = request_data_export(account)
    export.refresh_from_db()
    assert export.state == "ready" and export.file.storage.exists(export.file.name)
    return export


def test_old_exports_expire_with_their_files(settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    jobs = settings.CELERY_BEAT_SCHEDULE.values()
    assert any(job["task"] == "spool.exports.tasks.expire_data_exports" for job in jobs)
    ana, bea = member("ana"), member("bea")
    old, recent = (
        built(ana, django_capture_on_commit_callbacks),
        built(bea, django_capture_on_commit_callbacks),
    )
    stale = DataExport.objects.create(account=ana, state=DataExport.State.FAILED)
    days = settings.SPOOL.export_retention_days
    DataExport.objects.filter(pk__in=[old.pk, stale.pk]).update(
        requested_at=timezone.now() - timedelta(days=days, minutes=1)
    )
    DataExport.objects.filter(pk=recent.pk).update(requested_at=timezone.now() - timedelta(days=days - 1))
    assert expire_data_exports.delay().get() == 2
    assert list(DataExport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not old.file.storage.exists(old.file.name) and recent.file.storage.exists(recent.file.name)


def test_the_retention_is_configurable(
    monkeypatch: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    export = built(member("ana"), django_capture_on_commit_callbacks)
    DataExport.objects.filter(pk=export.pk).update(requested_at=timezone.now() - timedelta(days=2))
    assert expire_data_exports.delay().get() == 0
    monkeypatch.setattr(settings.SPOOL, "export_retention_days", 1)
    assert expire_data_exports.delay().get() == 1
    assert not DataExport.objects.exists() and not export.file.storage.exists(export.file.name)
