"""The site's revision (account 0 of ``timelines_revisions``) is bumped whenever an account is deactivated
or comes back (``identities_account.is_active`` changes): which repost of a post a home page shows depends
on its reposter being active, and the page's versions no longer read every such repost
(spool/timelines/versions.py). Rare: every remembered page is checked anew once after it.
"""

from django.db import migrations

REVISIONS = "timelines_revisions"
BUMP = (
    f"INSERT INTO {REVISIONS} (account_id, revision) VALUES (0, 1)"
    f" ON CONFLICT (account_id) DO UPDATE SET revision = {REVISIONS}.revision + 1;"
)


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        statements = [
            "CREATE FUNCTION spool_revision_site_active() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {BUMP}\n  RETURN NULL;\nEND $$",
            "CREATE TRIGGER spool_revision_active AFTER UPDATE OF is_active ON identities_account"
            " FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)"
            " EXECUTE FUNCTION spool_revision_site_active()",
        ]
    else:
        statements = [
            "CREATE TRIGGER spool_revision_active AFTER UPDATE OF is_active ON identities_account"
            f" FOR EACH ROW WHEN OLD.is_active IS NOT NEW.is_active BEGIN {BUMP.replace(f'{REVISIONS}.revision', 'revision')} END"
        ]
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        statements = [
            "DROP TRIGGER IF EXISTS spool_revision_active ON identities_account",
            "DROP FUNCTION IF EXISTS spool_revision_site_active()",
        ]
    else:
        statements = ["DROP TRIGGER IF EXISTS spool_revision_active"]
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("timelines", "0002_page_versions")]

    operations = [migrations.RunPython(forward, backward)]
