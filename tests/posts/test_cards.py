"""Link preview cards: the first link of a post gets a card, fetched after commit by the background task
through the SSRF-safe fetcher, and shared by every post with the same link."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from spool.posts.models import LinkCard
from tests.core.test_fetch import LocalServer
from tests.posts.conftest import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    yield local
    local.close()


def test_the_first_link_gets_a_card_fetched_in_the_background(
    ana: Person, bob: Person, server: LocalServer, settings: Any
) -> None:
    settings.SPOOL = settings.SPOOL.model_copy(update={"fetch_allow_private": True})
    url = server.url("/page")
    post = ana.write(f"Read this: {url} and https://second.example/")
    assert server.requests == [("/page", f"127.0.0.1:{server.port}")]
    card = bob.view(post)["link_card"]
    assert card == {
        "url": url,
        "title": "The & Real Title",
        "description": "A description with spaces",
        "image_url": server.url("/img/cover.png"),
        "site_name": "Example Site",
    }
    again = bob.write(f"Same link {url}")
    assert bob.view(again)["link_card"]["title"] == "The & Real Title"
    assert LinkCard.objects.count() == 1
    assert len(server.requests) == 1  # the shared card was not fetched again


def test_private_addresses_get_no_card(ana: Person, bob: Person, server: LocalServer, settings: Any) -> None:
    settings.SPOOL = settings.SPOOL.model_copy(update={"fetch_allow_private": False})
    post = ana.write(f"Internal: {server.url('/page')}")
    assert server.requests == []
    assert bob.view(post)["link_card"] is None
    assert LinkCard.objects.get().state == LinkCard.State.FAILED


def test_posts_with_images_show_the_images_instead(ana: Person, server: LocalServer, settings: Any) -> None:
    settings.SPOOL = settings.SPOOL.model_copy(update={"fetch_allow_private": True})
    post = ana.write(f"Pic and {server.url('/page')}", media_ids=[ana.media_id()])
    assert ana.view(post)["link_card"] is None and server.requests == []
