"""An audit entry names its action in the reader's language (issue 19 made the lookup cheap: it
must still say what Django's own display says, in each language)."""

from django.db.models.base import Model
from django.utils import translation

from coproduce.audit.models import AuditAction, AuditEntry


def test_every_action_is_named_as_djangos_own_display_names_it_in_each_language():
    for language in ("en-gb", "cy", "es"):
        with translation.override(language):
            for value, _label in AuditAction.choices:
                entry = AuditEntry(action=value)
                expected = Model._get_FIELD_display(entry, AuditEntry._meta.get_field("action"))
                assert entry.get_action_display() == expected, (language, value)
    with translation.override("cy"):
        assert AuditEntry(action=AuditAction.COMMUNITY_CREATED).get_action_display() != "created the community"
    assert AuditEntry(action="no.such_action").get_action_display() == "no.such_action"
