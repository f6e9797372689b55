"""A page's versions (spool.timelines.versions) checked as a remembered page is: on PostgreSQL by the
registry statement reading the rows where the page found them, on SQLite by reading the value again. The
value the check reads must equal the page's while nothing changed, and differ as soon as a row it covers
does."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from spool.posts.models import Post
from spool.posts.services import like_post
from spool.timelines.celebrities import read_registry
from spool.timelines.stores import Entry
from spool.timelines.versions import Versions, Window, read_versions
from tests.timelines.conftest import People, committed

pytestmark = pytest.mark.django_db


def _check(viewer: int, window: Window, versions: Versions) -> bytes | None:
    """The digest a remembered page with ``window`` and ``versions`` is checked against now."""
    if connection.vendor == "postgresql":
        assert versions.named is not None
        return read_registry(viewer, settings.SPOOL.fanout_threshold, known=versions.named).versions
    return read_versions(viewer, window).digest


@pytest.fixture
def page() -> Any:
    """ana follows bo and cy; bo posted, cy reposted it: a window of that post and that repost."""
    people = People()
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    people.follow(ana, bo, cy)
    post = people.post(bo)
    repost = people.repost(cy, post)
    window = Window([Entry(repost.id, post.id), Entry(post.id, post.id)])
    return ana, post, window


def test_the_value_holds_while_nothing_changed(page: Any) -> None:
    ana, _, window = page
    versions = read_versions(ana.id, window)
    assert _check(ana.id, window, versions) == versions.digest
    assert _check(ana.id, window, versions) == versions.digest


def test_an_updated_row_changes_the_value(page: Any) -> None:
    ana, post, window = page
    versions = read_versions(ana.id, window)
    committed(like_post, ana, post.id)
    assert _check(ana.id, window, versions) != versions.digest


def test_a_deleted_row_changes_the_value(page: Any) -> None:
    ana, post, window = page
    versions = read_versions(ana.id, window)
    Post.objects.filter(id=post.id).delete()
    assert _check(ana.id, window, versions) != versions.digest


def test_a_row_appearing_under_a_window_id_that_had_none_changes_the_value(page: Any) -> None:
    """A window ID with no row is found nowhere, so the check looks for it by ID (PostgreSQL reads the
    other rows where the page found them, which would never see it)."""
    ana, post, window = page
    Post.objects.filter(id=post.id).delete()
    versions = read_versions(ana.id, window)
    assert _check(ana.id, window, versions) == versions.digest
    post.save(force_insert=True)
    assert _check(ana.id, window, versions) != versions.digest
