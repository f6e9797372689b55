"""PostgreSQL only: notices of the rows a home page is made from, announced by the database itself at
commit on channel ``spool_pages`` (``pg_notify``), so that each server process hears what changed and
may serve a remembered page again without asking (spool/timelines/notices.py,
spool/api/mastodon/page_cache.py). Payloads:

- ``<id>``: a post, repost, account, link card or topic was updated or deleted (snowflake IDs, unique
  across these tables). Every UPDATE announces, as every UPDATE gives the row a new ``xmin`` (the
  version a page is checked by, spool/timelines/versions.py).
- ``R<account>``: the account's relation revision was bumped (``timelines_revisions``, kept by the
  relation triggers of migration 0002; account 0 is the site).
- ``n<account>``: a new top-level post or repost by an account in ``timelines_celebrities`` (migration
  0004): merged into its followers' pages at read time, never written into their timelines.
- ``C``: the set of such accounts, or the threshold it was made for, changed.

A transaction announces each payload once however many times its rows repeat it (PostgreSQL folds
duplicates), and nothing when it rolls back. SQLite has no such channel: its pages are always checked by
statement.
"""

from django.db import migrations

CHANNEL = "spool_pages"
ROWS = ("posts_post", "posts_repost", "identities_account", "posts_linkcard", "posts_topic")


def _function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}  RETURN NULL;\nEND $$"
    )


def _new_entry(author: str) -> str:
    return (
        f"  IF EXISTS (SELECT 1 FROM timelines_celebrities WHERE account_id = NEW.{author}) THEN\n"
        f"    PERFORM pg_notify('{CHANNEL}', 'n' || NEW.{author});\n"
        "  END IF;\n"
    )


FORWARD = [
    _function("spool_notice_row", f"  PERFORM pg_notify('{CHANNEL}', OLD.id::text);\n"),
    *(
        f"CREATE TRIGGER spool_notice AFTER UPDATE OR DELETE ON {table}"
        " FOR EACH ROW EXECUTE FUNCTION spool_notice_row()"
        for table in ROWS
    ),
    _function("spool_notice_revision", f"  PERFORM pg_notify('{CHANNEL}', 'R' || NEW.account_id);\n"),
    "CREATE TRIGGER spool_notice AFTER INSERT OR UPDATE ON timelines_revisions"
    " FOR EACH ROW EXECUTE FUNCTION spool_notice_revision()",
    _function("spool_notice_new_post", _new_entry("author_id")),
    "CREATE TRIGGER spool_notice_new AFTER INSERT ON posts_post"
    " FOR EACH ROW WHEN (NOT NEW.is_reply) EXECUTE FUNCTION spool_notice_new_post()",
    _function("spool_notice_new_repost", _new_entry("account_id")),
    "CREATE TRIGGER spool_notice_new AFTER INSERT ON posts_repost"
    " FOR EACH ROW EXECUTE FUNCTION spool_notice_new_repost()",
    _function("spool_notice_celebrities", f"  PERFORM pg_notify('{CHANNEL}', 'C');\n"),
    *(
        f"CREATE TRIGGER spool_notice AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION spool_notice_celebrities()"
        for table in ("timelines_celebrities", "timelines_celebrity_threshold")
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS spool_notice ON {table}" for table in ROWS),
    "DROP TRIGGER IF EXISTS spool_notice ON timelines_revisions",
    "DROP TRIGGER IF EXISTS spool_notice_new ON posts_post",
    "DROP TRIGGER IF EXISTS spool_notice_new ON posts_repost",
    "DROP TRIGGER IF EXISTS spool_notice ON timelines_celebrities",
    "DROP TRIGGER IF EXISTS spool_notice ON timelines_celebrity_threshold",
    *(
        f"DROP FUNCTION IF EXISTS {name}()"
        for name in (
            "spool_notice_row", "spool_notice_revision", "spool_notice_new_post", "spool_notice_new_repost",
            "spool_notice_celebrities",
        )
    ),  # fmt: skip
]


def _run(schema_editor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("timelines", "0004_celebrities")]
    operations = [migrations.RunPython(forward, backward)]
