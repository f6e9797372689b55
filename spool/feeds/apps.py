"""Feeds: timeline stores and fan-out, For You, custom feeds, lists, markers, trending."""

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "spool.feeds"
    label = "feeds"

    def ready(self) -> None:
        from spool.core.events import subscribe
        from spool.feeds.for_you.steering import on_post_created
        from spool.feeds.lists import on_unfollowed
        from spool.feeds.trending.services import on_post_created as count_for_trending
        from spool.identities.events import Unfollowed
        from spool.posts.events import PostCreated

        subscribe(Unfollowed, on_unfollowed)
        subscribe(PostCreated, on_post_created)
        subscribe(PostCreated, count_for_trending, after_commit=True)
