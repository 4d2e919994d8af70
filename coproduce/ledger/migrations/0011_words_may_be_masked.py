"""On PostgreSQL, a settled transfer may change in one way only: its words (description, reason,
hold detail, decline reason), which erasing a person masks (issue 20, ``ledger.services.erasure``).
Every column the ledger counts by stays refused."""

from django.db import migrations

REPLACE = """
CREATE OR REPLACE FUNCTION ledger_refuse_transfer_change() RETURNS trigger AS $$
BEGIN
    IF current_setting('coproduce.ledger_maintenance', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.status IN ('pending', 'held') THEN
            RETURN NEW;
        END IF;
        IF to_jsonb(NEW) - ARRAY['description', 'reason', 'hold_detail', 'decline_reason']
           = to_jsonb(OLD) - ARRAY['description', 'reason', 'hold_detail', 'decline_reason'] THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'settled ledger transfers are immutable: % refused (post a reversal instead)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

WORDS_ONLY = """\
        IF to_jsonb(NEW) - ARRAY['description', 'reason', 'hold_detail', 'decline_reason']
           = to_jsonb(OLD) - ARRAY['description', 'reason', 'hold_detail', 'decline_reason'] THEN
            RETURN NEW;
        END IF;
"""
RESTORE = REPLACE.replace(WORDS_ONLY, "")


def replace(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REPLACE, params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0010_erasure")]

    operations = [migrations.RunPython(replace, restore)]
