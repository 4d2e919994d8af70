"""On PostgreSQL, refuse raw UPDATE/DELETE of entries and of settled transfers.

TRUNCATE (used by test teardown) fires no row triggers. The bench_ledger command cleans
up its throwaway community with ``SET LOCAL coproduce.ledger_maintenance = 'on'``.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ledger_refuse_entry_change() RETURNS trigger AS $$
BEGIN
    IF current_setting('coproduce.ledger_maintenance', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'ledger entries are immutable: % refused (post a reversal instead)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_refuse_transfer_change() RETURNS trigger AS $$
BEGIN
    IF current_setting('coproduce.ledger_maintenance', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.status = 'pending' THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'settled ledger transfers are immutable: % refused (post a reversal instead)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_entry_change();
CREATE TRIGGER ledger_transfer_immutable BEFORE UPDATE OR DELETE ON ledger_transfer
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_transfer_change();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_transfer_immutable ON ledger_transfer;
DROP FUNCTION IF EXISTS ledger_refuse_entry_change();
DROP FUNCTION IF EXISTS ledger_refuse_transfer_change();
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
