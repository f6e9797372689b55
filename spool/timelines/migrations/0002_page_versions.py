"""What the home page cache (spool.api.mastodon.page_cache) checks a remembered page against, kept by the
database itself so that no write escapes it (bulk updates, raw SQL, federation's inbox):

- ``timelines_revisions``: a counter per account, bumped by triggers whenever one of that account's
  relations a home page is decided from changes (follows, mutes, blocks and restricts — both parties —,
  saves, pins, conversation mutes, exclusive lists and their members, word filters); account 0 stands for
  the site (stored blocked and allowed servers). One indexed upsert per written row.
- SQLite only, ``timelines_row_versions``: a counter per row of the tables a page is rendered from (posts,
  accounts, reposts, link cards, topics), bumped after every UPDATE; PostgreSQL has ``xmin`` for that. IDs
  are snowflakes, unique across these tables.

See ``spool/timelines/versions.py`` and docs/subsystems/timelines.md ("Ninth pass").
"""

from django.db import migrations

REVISIONS = "timelines_revisions"
ROW_VERSIONS = "timelines_row_versions"

# table -> how each written row names the accounts whose revision it bumps (SQL over the row ``r``).
RELATIONS = {
    "identities_follow": ("r.follower_id",),
    "identities_mute": ("r.muter_id",),
    "identities_block": ("r.blocker_id", "r.blocked_id"),
    "identities_restrict": ("r.restricter_id", "r.restricted_id"),
    "identities_wordfilter": ("r.account_id",),
    "posts_save": ("r.account_id",),
    "posts_pinnedpost": ("r.account_id",),
    "posts_conversationmute": ("r.account_id",),
    "feeds_list": ("r.owner_id",),
    "feeds_listmember": ("(SELECT owner_id FROM feeds_list WHERE id = r.list_id)",),
    "federation_domainblock": ("0",),
    "federation_allowedserver": ("0",),
}
VERSIONED = ("posts_post", "identities_account", "posts_repost", "posts_linkcard", "posts_topic")


def _pg_bump(expr: str) -> str:
    return (
        f"    INSERT INTO {REVISIONS} (account_id, revision) SELECT a, 1 FROM (SELECT {expr} AS a) s"
        f" WHERE a IS NOT NULL ON CONFLICT (account_id) DO UPDATE SET revision = {REVISIONS}.revision + 1;\n"
    )


def _postgresql(schema_editor, forward: bool) -> None:
    statements = []
    if not forward:
        for table in RELATIONS:
            statements.append(f"DROP TRIGGER IF EXISTS spool_revision ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS spool_revision_{table}()")
        statements.append(f"DROP TABLE IF EXISTS {REVISIONS}")
    else:
        statements.append(
            f"CREATE TABLE {REVISIONS} (account_id bigint PRIMARY KEY, revision bigint NOT NULL)"
        )
        for table, accounts in RELATIONS.items():
            # Two parties are bumped in ID order, so that two writers never wait on each other in turn.
            ordered = accounts if len(accounts) == 1 else (f"LEAST({', '.join(accounts)})", f"GREATEST({', '.join(accounts)})")
            body = "".join(_pg_bump(a) for a in ordered)
            statements.append(
                f"CREATE FUNCTION spool_revision_{table}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                "DECLARE r record;\nBEGIN\n"
                "  IF TG_OP <> 'INSERT' THEN r := OLD;\n" + body + "  END IF;\n"
                "  IF TG_OP <> 'DELETE' THEN r := NEW;\n" + body + "  END IF;\n"
                "  RETURN NULL;\nEND $$"
            )
            statements.append(
                f"CREATE TRIGGER spool_revision AFTER INSERT OR UPDATE OR DELETE ON {table}"
                f" FOR EACH ROW EXECUTE FUNCTION spool_revision_{table}()"
            )
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _sqlite_bump(table: str, key: str, expr: str) -> str:
    return (
        f"INSERT INTO {table} ({key}, {'revision' if table == REVISIONS else 'version'})"
        f" SELECT a, 1 FROM (SELECT {expr} AS a) WHERE a IS NOT NULL"
        f" ON CONFLICT ({key}) DO UPDATE SET {'revision = revision' if table == REVISIONS else 'version = version'} + 1;"
    )


def _sqlite(schema_editor, forward: bool) -> None:
    statements = []
    if not forward:
        for table in RELATIONS:
            for event in ("insert", "update", "delete"):
                statements.append(f"DROP TRIGGER IF EXISTS spool_revision_{table}_{event}")
        for table in VERSIONED:
            statements.append(f"DROP TRIGGER IF EXISTS spool_version_{table}")
        statements += [f"DROP TABLE IF EXISTS {REVISIONS}", f"DROP TABLE IF EXISTS {ROW_VERSIONS}"]
    else:
        statements.append(
            f"CREATE TABLE {REVISIONS} (account_id integer PRIMARY KEY, revision integer NOT NULL)"
        )
        statements.append(f"CREATE TABLE {ROW_VERSIONS} (id integer PRIMARY KEY, version integer NOT NULL)")
        for table, accounts in RELATIONS.items():
            for event, rows in (("insert", ("NEW",)), ("update", ("OLD", "NEW")), ("delete", ("OLD",))):
                body = " ".join(
                    _sqlite_bump(REVISIONS, "account_id", a.replace("r.", f"{row}."))
                    for row in rows
                    for a in accounts
                )
                statements.append(
                    f"CREATE TRIGGER spool_revision_{table}_{event} AFTER {event.upper()} ON {table}"
                    f" FOR EACH ROW BEGIN {body} END"
                )
        for table in VERSIONED:
            statements.append(
                f"CREATE TRIGGER spool_version_{table} AFTER UPDATE ON {table} FOR EACH ROW BEGIN "
                + _sqlite_bump(ROW_VERSIONS, "id", "NEW.id")
                + " END"
            )
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    (_postgresql if vendor == "postgresql" else _sqlite)(schema_editor, True)


def backward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    (_postgresql if vendor == "postgresql" else _sqlite)(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [
        ("timelines", "0001_initial"),
        ("identities", "0005_account_prefix_search_indexes"),
        ("posts", "0005_post_moderation_flags"),
        ("feeds", "0008_trending_topic_history_index"),
        ("federation", "0002_server_policy_departed_keys"),
    ]

    operations = [migrations.RunPython(forward, backward)]
