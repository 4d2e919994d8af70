"""What a model declares about the personal data it holds (issue 20).

Each model that points at a person (a user, a membership, a ledger account) says so on the class,
as ``personal_data = PersonalData(...)`` or ``personal_data = NamesPeople(...)``. The privacy app
reads these declarations for everything it does with personal data: the copy a person downloads,
the records of processing a site admin reads, and erasure. A test walks every model and fails
when one points at a person without declaring it, so the declarations cannot drift from the code.

No coproduce app is imported here: the lowest apps declare with it too.
"""

from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Purpose(TextChoices):
    """Why the platform holds personal data: the purposes the records of processing list."""

    MEMBERSHIP = "membership", _("Running the time bank: who the members are, how to reach them, what they offer and need")
    LEDGER = "ledger", _("Keeping the ledger of time credits and each member's statement")
    MATCHING = "matching", _("Matching offers and requests, and thanking people for their help")
    MESSAGES = "messages", _("Letting members write to each other, and keeping them safe while they do")
    SAFEGUARDING = "safeguarding", _("Safeguarding: the checks some kinds of help need, and reports of concerns")
    PARTNERS = "partners", _("Working with partner organisations: their staff, opportunities and rewards")
    REFERRALS = "referrals", _("Social prescribing: referrals from partners and what came of them")
    GROUPS = "groups", _("Peer-support groups: who belongs, their sessions and who came")
    FIGURES = "figures", _("Counting the core economy for the community's figures (published only in aggregate)")
    OUTCOMES = "outcomes", _("Measuring outcomes: the wellbeing answers people choose to give")
    SECURITY = "security", _("Logging in safely: e-mail addresses, two-factor authentication, sessions and tokens")
    ACCOUNTABILITY = "accountability", _("Accountability: a record of who did what")
    NOTIFICATIONS = "notifications", _("Sending the e-mails each person chose")
    DIRECTORY = "directory", _("Keeping the directory of local places and services up to date")
    FEDERATION = "federation", _("Exchanges with linked time banks")
    DATA_RIGHTS = "data_rights", _("Giving people a copy of their data")


class Basis(TextChoices):
    """The lawful bases of UK GDPR article 6 a community relies on for our purposes."""

    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract (the membership agreement)")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")


class Audience(TextChoices):
    """Who can see the rows, as the apps' permission rules allow (site admins always can)."""

    PERSON = "person", _("The person")
    PERSON_AND_COORDINATORS = "person_and_coordinators", _("The person and the community's coordinators")
    MEMBERS = "members", _("The community's members and coordinators")
    PARTIES = "parties", _("The people taking part, and the community's coordinators")
    PARTNER = "partner", _("The partner organisation's staff and the community's coordinators")
    GROUP = "group", _("The group's facilitators and members, and the community's coordinators")
    COORDINATORS = "coordinators", _("The community's coordinators")
    SITE_ADMINS = "site_admins", _("Site admins only")


class Kept(TextChoices):
    """How long the rows are kept."""

    MEMBERSHIP = "membership", _("While the person is a member, then the community's retention period")
    LEDGER = "ledger", _("As long as the ledger: pseudonymised when the person is erased, never deleted")
    CONSENT = "consent", _("Until the person withdraws their consent")
    SESSION = "session", _("Until the person logs out or the session ends")
    SHORT = "short", _("A few days or weeks, then cleared")
    AUDIT = "audit", _("The community's retention period, then masked (never deleted)")


@dataclass(frozen=True)
class PersonalData:
    """Rows about people: each goes into the download of every person ``about`` leads to."""

    title: str  # what the rows are, as the download and the records page head them
    about: tuple[str, ...]  # ORM lookups from a row to each user it is about ("membership__user")
    purpose: Purpose
    basis: Basis
    seen_by: Audience
    kept: Kept
    special: bool = False  # special category data (article 9): health, through referrals, groups, wellbeing
    names: tuple[str, ...] = ()  # fields naming people the row is not about (who recorded it)
    withheld: tuple[str, ...] = ()  # never in a download: secrets (hashes, keys, tokens)
    free_text: tuple[str, ...] = ()  # texts redacted when the person ``written_by`` leads to is erased
    written_by: str = ""  # the lookup to whoever wrote the free texts; blank: the only ``about`` lookup

    @property
    def author(self) -> str:
        return self.written_by or (self.about[0] if len(self.about) == 1 else "")


@dataclass(frozen=True)
class NamesPeople:
    """Rows about something else (an opportunity, a directory entry) that name who made or
    changed them. They are not in anyone's download; the audit entries of the same actions are."""

    names: tuple[str, ...]
    purpose: Purpose

    about: tuple[str, ...] = ()
