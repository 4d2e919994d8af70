"""Issue 11 changed what the roll-ups hold (each giver's area, the community exchange type,
pot pairs for the network's nodes): rebuild them once from the ledger.

Calls the current ``rollups.rebuild`` on purpose (the roll-ups are derived data, always
rebuilt by the code of the day); on an empty database it does nothing. Also withdraws pictures released before
issue 11 (dots in account-id order).
"""

from django.db import migrations


def rebuild(apps, schema_editor):
    # Pictures released before issue 11 drew the dots in account-id order, which members can tie
    # back to people: withdraw them (the figures stay as released).
    PublicRelease = apps.get_model("insights", "PublicRelease")
    for release in PublicRelease.objects.all():
        network = release.figures.get("network") or {}
        if network.get("picture"):
            network["picture"] = None
            release.save(update_fields=["figures"])
    Transfer = apps.get_model("ledger", "Transfer")
    if not Transfer.objects.exists():
        return
    from coproduce.insights.rollups import rebuild as rebuild_rollups

    rebuild_rollups()


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0009_issue11_releases_and_rollups"),
        ("ledger", "0005_held_transfers_may_settle"),
        ("members", "0002_demographics_updated_at"),
        ("partners", "0002_staff_opportunities_listings"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
