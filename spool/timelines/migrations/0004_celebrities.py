"""PostgreSQL only: the accounts above the fan-out threshold (celebrities), kept by the database itself so
that a home page finds the ones its viewer follows without reading every followed account's row
(spool/timelines/celebrities.py):

- ``timelines_celebrity_threshold``: the threshold the set was made for: the ``fanout_threshold`` setting
  when this migration ran, then the one given to ``manage.py sync_celebrities``
  (:func:`spool.timelines.celebrities.sync_celebrities`). A process whose setting differs reads
  ``followers_count`` instead, as before (correct, only dearer).
- ``timelines_celebrities``: the IDs of the accounts with more followers than that threshold. A trigger
  on ``identities_account`` adds or removes an account in the transaction that moves its
  ``followers_count`` across the threshold (a follow, an unfollow, a recount, raw SQL alike). Writes that
  leave an account on the same side touch nothing but the trigger's read of the threshold. No foreign
  key: an account that is deleted is followed by no one (its follows go with it), so its row is never
  joined again, and IDs are snowflakes, never reused.

SQLite keeps reading ``followers_count`` (its registry statement has no such cost to save).
"""

from django.conf import settings
from django.db import migrations

FORWARD = [
    "CREATE TABLE timelines_celebrity_threshold (threshold integer NOT NULL)",
    "CREATE TABLE timelines_celebrities (account_id bigint PRIMARY KEY)",
    "CREATE FUNCTION spool_celebrity() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "DECLARE\n  t integer;\n  was boolean := false;\n"
    "BEGIN\n"
    "  SELECT threshold INTO t FROM timelines_celebrity_threshold;\n"
    "  IF t IS NULL THEN\n    RETURN NULL;\n  END IF;\n"
    "  IF TG_OP = 'UPDATE' THEN\n    was := OLD.followers_count > t;\n  END IF;\n"
    "  IF NEW.followers_count > t AND NOT was THEN\n"
    "    INSERT INTO timelines_celebrities (account_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;\n"
    "  ELSIF was AND NEW.followers_count <= t THEN\n"
    "    DELETE FROM timelines_celebrities WHERE account_id = NEW.id;\n"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END $$",
    "CREATE TRIGGER spool_celebrity_insert AFTER INSERT ON identities_account"
    " FOR EACH ROW EXECUTE FUNCTION spool_celebrity()",
    "CREATE TRIGGER spool_celebrity_update AFTER UPDATE OF followers_count ON identities_account"
    " FOR EACH ROW WHEN (OLD.followers_count IS DISTINCT FROM NEW.followers_count)"
    " EXECUTE FUNCTION spool_celebrity()",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS spool_celebrity_update ON identities_account",
    "DROP TRIGGER IF EXISTS spool_celebrity_insert ON identities_account",
    "DROP FUNCTION IF EXISTS spool_celebrity()",
    "DROP TABLE IF EXISTS timelines_celebrities",
    "DROP TABLE IF EXISTS timelines_celebrity_threshold",
]


def _run(schema_editor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    threshold = int(settings.SPOOL.fanout_threshold)
    _run(
        schema_editor,
        [
            *FORWARD,
            f"INSERT INTO timelines_celebrity_threshold (threshold) VALUES ({threshold})",
            "INSERT INTO timelines_celebrities (account_id)"
            f" SELECT id FROM identities_account WHERE followers_count > {threshold}",
        ],
    )


def backward(apps, schema_editor) -> None:
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("timelines", "0003_site_revision_on_is_active")]

    operations = [migrations.RunPython(forward, backward)]
