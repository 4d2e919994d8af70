from django.db import migrations, models

# Each account's latest posted, unreversed exchange day, from its entries (as the posting
# service keeps it from now on; verify_ledger checks the two agree).
FILL = """
UPDATE ledger_account SET last_exchange_on = (
    SELECT MAX(t.performed_on) FROM ledger_entry e JOIN ledger_transfer t ON t.id = e.transfer_id
    WHERE e.account_id = ledger_account.id AND t.status = 'posted' AND t.kind IN ('exchange', 'group')
      AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.reverses_id = t.id AND r.status = 'posted'))
"""


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0005_held_transfers_may_settle"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="last_exchange_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(fields=["community", "kind", "last_exchange_on"], name="ledger_account_last_exchange"),
        ),
    ]
