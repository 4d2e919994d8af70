"""On PostgreSQL, a transfer held for a coordinator's approval may still change (to posted or
declined), like a pending one; settled transfers stay immutable."""

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
    END IF;
    RAISE EXCEPTION 'settled ledger transfers are immutable: % refused (post a reversal instead)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

RESTORE = REPLACE.replace("IN ('pending', 'held')", "= 'pending'")


def replace(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REPLACE, params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_approvals")]

    operations = [migrations.RunPython(replace, restore)]
