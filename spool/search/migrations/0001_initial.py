"""The search index: an FTS5 virtual table on SQLite, a tsvector table with a GIN index on PostgreSQL —
each created only on its own database — filled with the posts that exist already."""

from __future__ import annotations

from django.db import migrations

from spool.core.vendor_sql import VendorSQL

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_post_fts "
    "USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
    # Posts written before search existed. Same text as spool.search.documents.document_text, without the
    # alt texts (the rebuild_search_index command adds those).
    "INSERT INTO search_post_fts (rowid, body) "
    "SELECT p.id, p.text || char(10) || p.attachment_text || char(10) || coalesce(t.display, '') "
    "FROM posts_post p LEFT JOIN posts_topic t ON t.id = p.topic_id",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS search_post_fts"]
POSTGRES = [
    "CREATE TABLE IF NOT EXISTS search_post_document (post_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_post_document_gin ON search_post_document USING gin (document)",
    "INSERT INTO search_post_document (post_id, document) "
    "SELECT p.id, to_tsvector('simple', p.text || E'\\n' || p.attachment_text || E'\\n' || coalesce(t.display, '')) "
    "FROM posts_post p LEFT JOIN posts_topic t ON t.id = p.topic_id",
]
POSTGRES_REVERSE = ["DROP TABLE IF EXISTS search_post_document"]


class Migration(migrations.Migration):
    dependencies = [("posts", "0004_pins_conversation_mutes_media_focus")]

    operations = [
        VendorSQL("sqlite", SQLITE, SQLITE_REVERSE),
        VendorSQL("postgresql", POSTGRES, POSTGRES_REVERSE),
    ]
