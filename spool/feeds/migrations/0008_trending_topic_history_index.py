"""Trending's week of topic history on PostgreSQL: the refresh counts a week of the trending topics' public
posts per day and author (:mod:`spool.feeds.trending.history`). Through ``(topic_id, id)`` that read every
post's heap row (some 100k rows for five busy topics at 100k accounts, most of the refresh's time); this
partial index holds the columns the query and the visibility rule read, only for posts that can count
(topic set, not hidden, not limited, not removed by moderators, not archived), so it is an index-only scan.
None of its columns change after a post is written but ``root_ghost`` (rare), so likes and replies keep
their HOT updates. SQLite scans its embedded-sized table and gets no index."""

from django.db import migrations

from spool.core.vendor_sql import VendorSQL

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS posts_post_topic_public_history ON posts_post (topic_id, id) "
    "INCLUDE (created_at, author_id, is_reply, reply_to_id, reply_to_author_id, root_id, root_author_id, "
    "root_ghost) WHERE topic_id IS NOT NULL AND NOT hidden AND NOT reach_limited AND moderation_state = '' "
    "AND ghost <> 'archived'",
]
POSTGRES_REVERSE = ["DROP INDEX IF EXISTS posts_post_topic_public_history"]


class Migration(migrations.Migration):
    dependencies = [
        ("feeds", "0007_trending_counted_posts"),
        ("posts", "0005_post_moderation_flags"),
    ]

    operations = [VendorSQL("postgresql", POSTGRES, POSTGRES_REVERSE)]
