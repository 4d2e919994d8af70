"""Codes and cards at the counter. Every spend goes through ``partners.rewards.redeem_listing``
(the limits, the ledger posting); this module only says who is standing at the till and proves it.

- ``issue_code``: the member asks for a one-time code for a listing (refused at once, with the
  reason, if the listing's limits already say no).
- ``redeem_code``: the venue's staff confirm a code. Single use: the code's row is locked, and a
  second till confirming the same code gets the first redemption back, with nothing posted twice.
- ``set_pin`` / ``redeem_card``: a printed card with the member number and a PIN. Five wrong PINs
  lock the card (not the member's account) for ``LOCK_MINUTES``.
"""

from __future__ import annotations

import datetime
import functools
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.ledger import services as ledger
from coproduce.members.models import Membership, MembershipStatus
from coproduce.partners import rewards
from coproduce.partners import services as partner_services
from coproduce.partners.models import Listing, Organisation, Redemption, RedemptionVia
from coproduce.partners.permissions import manager_authority
from coproduce.rewards.models import (
    VENUE_TYPES,
    JoinStatus,
    MemberCard,
    RedemptionCode,
    VenueApplication,
)

CODE_MINUTES = 10
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread at a till
CODE_LENGTH = 6
PIN_ATTEMPTS = 5
LOCK_MINUTES = 30


def normalise_code(raw: str) -> str:
    return "".join((raw or "").split()).upper()


def _local_time(community, moment: datetime.datetime) -> str:
    return time_format(timezone.localtime(moment, ledger.community_zone(community)), "H:i")


def issue_code(listing: Listing, *, membership: Membership, actor, now: datetime.datetime | None = None
               ) -> RedemptionCode:
    """A one-time code for the member to show at the counter, valid ``CODE_MINUTES``."""
    if actor.pk != membership.user_id:
        raise ValidationError(_("Members ask for their own codes."))
    reason = rewards.refusal(listing, membership, now=now)
    if reason:
        raise ValidationError(reason)
    now = now or timezone.now()
    for _attempt in range(10):
        code = "".join(secrets.choice(CODE_LETTERS) for _i in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return RedemptionCode.objects.create(
                    code=code, listing=listing, membership=membership, created_at=now,
                    expires_at=now + datetime.timedelta(minutes=CODE_MINUTES))
        except IntegrityError:
            continue  # that code was taken: draw another
    raise ValidationError(_("No code could be made just now; please try again."))


@functools.cache
def _locked_code_query() -> tuple[str, list]:
    """The SQL of ``_locked_code`` (made once) and, per model in it, how many columns it reads."""
    tables = ((RedemptionCode, "c"), (Listing, "l"), (Membership, "m"), (get_user_model(), "u"))
    quote = connection.ops.quote_name
    columns = ", ".join(f"{alias}.{quote(f.column)}" for model, alias in tables for f in model._meta.concrete_fields)
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    table = {model: quote(model._meta.db_table) for model, _alias in tables}
    sql = (f"SELECT {columns} FROM {table[RedemptionCode]} c"
           f" JOIN {table[Listing]} l ON l.id = c.listing_id"
           f" JOIN {table[Membership]} m ON m.id = c.membership_id"
           f" JOIN {table[get_user_model()]} u ON u.id = m.user_id"
           f" WHERE c.code = %s AND l.organisation_id = %s{lock}")
    # Each column's converters, as the ORM applies them (JSON, booleans and dates on SQLite, ...).
    models = []
    for model, alias in tables:
        fields = model._meta.concrete_fields
        converters = [[*connection.ops.get_db_converters(f.get_col(alias)), *f.get_db_converters(connection)]
                      for f in fields]
        models.append((model, [f.attname for f in fields], [(f.get_col(alias), c) for f, c in zip(fields, converters,
                                                                                                strict=True)]))
    return sql, models


def _locked_code(organisation: Organisation, code: str) -> RedemptionCode | None:
    """The code with its listing, member and person, its row alone locked, in plain SQL: on the
    counter's hot path the ORM took longer to compile this join than the database took to run it."""
    sql, models = _locked_code_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [code, organisation.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    objects, start = [], 0
    for model, fields, converters in models:
        values = []
        for value, (column, functions) in zip(row[start:start + len(fields)], converters, strict=True):
            for convert in functions:
                value = convert(value, column, connection)
            values.append(value)
        objects.append(model.from_db(connection.alias, fields, values))
        start += len(fields)
    found, listing, membership, user = objects
    membership.user = user
    found.listing, found.membership = listing, membership
    return found


def code_at(organisation: Organisation, raw: str, *, for_update: bool = False) -> RedemptionCode:
    """The code as typed at this venue's till, with what the confirm page shows; ``for_update``
    locks the code's row (only that row) until the transaction ends."""
    code = normalise_code(raw)
    if len(code) != CODE_LENGTH or any(letter not in CODE_LETTERS for letter in code):
        raise ValidationError({"code": _("A code is six letters and numbers, like K7MP3X.")})
    if for_update:  # just what the redemption needs, and a lock on the code's row only
        found = _locked_code(organisation, code)
    else:
        found = (RedemptionCode.objects.filter(code=code, listing__organisation=organisation)
                 .select_related("listing", "membership__user", "redemption").first())
    if found is None:
        raise ValidationError({"code": _("No code %(code)s for %(venue)s: check the letters with the member.")
                               % {"code": code, "venue": organisation.name}})
    return found


def redeem_code(organisation: Organisation, raw: str, *, actor, age_checked: bool = False,
                now: datetime.datetime | None = None) -> tuple[Redemption, bool]:
    """Confirm a member's code at the venue: (the redemption, True if it had already been used).
    Staff of the venue and coordinators only."""
    authority = manager_authority(actor, organisation)
    now = now or timezone.now()
    with transaction.atomic():
        code = code_at(organisation, raw, for_update=True)
        if code.redemption_id is not None:
            return Redemption.objects.select_related("listing", "membership__user").get(pk=code.redemption_id), True
        code.listing.organisation = organisation
        if code.expires_at <= now:
            raise ValidationError({"code": _("This code ran out at %(time)s: ask the member to open a new one.")
                                   % {"time": _local_time(organisation.community, code.expires_at)}})
        listing = code.listing
        if listing.minimum_age and not age_checked:
            raise ValidationError({"age_checked": _("Check that the member is at least %(age)s, then tick the box.")
                                   % {"age": listing.minimum_age}})
        # The code's lock proves this is the first time, and the listing was read with it.
        redemption = rewards.post_redemption(
            listing, membership=code.membership, actor=actor, via=RedemptionVia.CODE,
            idempotency_key=f"reward-code-{code.pk}", now=now, fresh=True, then=_mark_used(code),
            authority=_("%(who)s confirmed code %(code)s") % {"who": authority or _("a coordinator"),
                                                                "code": code.code})
    return redemption, False


def _mark_used(code: RedemptionCode):
    def mark(redemption: Redemption) -> None:
        code.redemption = redemption
        code.save(update_fields=["redemption"])
    return mark


def _check_pin(pin: str) -> str:
    pin = (pin or "").strip()
    if not (pin.isdigit() and 4 <= len(pin) <= 6):
        raise ValidationError({"pin": _("A PIN is 4 to 6 digits.")})
    return pin


@transaction.atomic
def set_pin(membership: Membership, *, pin: str, actor) -> MemberCard:
    """The member chooses their card's PIN, or a coordinator sets it with an assisted member
    (audited). Setting it unlocks the card."""
    is_self = actor.pk == membership.user_id
    if not is_self and not ledger.is_coordinator(actor, membership.community):
        raise ValidationError(_("Only the member or a coordinator can set the card's PIN."))
    card, _made = MemberCard.objects.update_or_create(
        membership=membership,
        defaults={"pin_hash": make_password(_check_pin(pin)), "failed_attempts": 0, "locked_until": None,
                  "issued_by": actor})
    if not is_self:
        record_audit(actor=actor, action=AuditAction.MEMBER_CARD_PIN_SET, community=membership.community,
                     on_behalf_of=membership.user, subject=str(membership.user))
    return card


def _card_at(organisation: Organisation, number) -> MemberCard:
    try:
        number = int(str(number).strip().lstrip("#"))
    except ValueError:
        number = 0
    card = (MemberCard.objects.select_for_update()
            .filter(membership_id=number, membership__community_id=organisation.community_id,
                    membership__status=MembershipStatus.ACTIVE).first())
    if card is None:
        raise ValidationError({"number": _("No card with member number %(number)s in %(community)s.")
                               % {"number": number, "community": organisation.community.name}})
    return card


def _prove_pin(organisation: Organisation, number, pin: str, now: datetime.datetime) -> Membership:
    """The card's member if the PIN is right. A wrong PIN is counted (and kept, in its own
    transaction); the fifth locks the card."""
    wrong = ""
    with transaction.atomic():
        card = _card_at(organisation, number)
        if card.locked_until and card.locked_until > now:
            raise ValidationError({"pin": _(
                "This card is locked until %(time)s after %(n)s wrong PINs. The member can still log in, "
                "and a coordinator can set a new PIN.") % {
                    "time": _local_time(organisation.community, card.locked_until), "n": PIN_ATTEMPTS}})
        if check_password(_check_pin(pin), card.pin_hash):
            if card.failed_attempts or card.locked_until:
                card.failed_attempts, card.locked_until = 0, None
                card.save(update_fields=["failed_attempts", "locked_until"])
            return card.membership
        card.failed_attempts += 1
        left = PIN_ATTEMPTS - card.failed_attempts
        if left <= 0:
            card.failed_attempts, card.locked_until = 0, now + datetime.timedelta(minutes=LOCK_MINUTES)
            wrong = _("Wrong PIN. The card is now locked for %(n)s minutes.") % {"n": LOCK_MINUTES}
        else:
            wrong = ngettext("Wrong PIN: %(n)s try left.", "Wrong PIN: %(n)s tries left.", left) % {"n": left}
        card.save(update_fields=["failed_attempts", "locked_until"])
    raise ValidationError({"pin": wrong})


def redeem_card(organisation: Organisation, listing: Listing, *, number, pin: str, actor, idempotency_key: str,
                age_checked: bool = False, now: datetime.datetime | None = None) -> Redemption:
    """Confirm a spend with the member's card and PIN, typed on the till's page."""
    authority = manager_authority(actor, organisation)
    now = now or timezone.now()
    if listing.organisation_id != organisation.pk:
        raise ValidationError({"listing": _("Choose one of %(venue)s's own rewards.") % {"venue": organisation.name}})
    listing.organisation = organisation  # the same row, with its community loaded
    membership = _prove_pin(organisation, number, pin, now)
    if listing.minimum_age and not age_checked:
        raise ValidationError({"age_checked": _("Check that the member is at least %(age)s, then tick the box.")
                               % {"age": listing.minimum_age}})
    return rewards.redeem_listing(
        listing, membership=membership, actor=actor, via=RedemptionVia.CARD, idempotency_key=idempotency_key,
        now=now, authority=_("%(who)s confirmed member card %(number)s") % {
            "who": authority or _("a coordinator"), "number": membership.pk})


# ------------------------------------------------------------------------------ venues joining


def apply_as_venue(membership: Membership, *, actor, name: str, type: str, description: str = "",
                   contact_phone: str = "") -> VenueApplication:
    """A member asks for their business to join as a venue; a coordinator decides."""
    if actor.pk != membership.user_id:
        raise ValidationError(_("Members apply for their own business."))
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("Only active members can bring a business in."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the business's name.")})
    if type not in VENUE_TYPES:
        raise ValidationError({"type": _("Choose the kind of business.")})
    if Organisation.objects.filter(community_id=membership.community_id, name__iexact=name).exists():
        raise ValidationError({"name": _("%(name)s already takes part here.") % {"name": name}})
    if VenueApplication.objects.filter(membership=membership, status=JoinStatus.PENDING).exists():
        raise ValidationError(_("You have already asked: a coordinator will answer soon."))
    return VenueApplication.objects.create(membership=membership, name=name, type=type,
                                           description=description.strip(), contact_phone=contact_phone.strip())


def _pending_for_update(application: VenueApplication, actor) -> VenueApplication:
    application = (VenueApplication.objects.select_for_update(of=("self",))
                   .select_related("membership__community", "membership__user").get(pk=application.pk))
    if not ledger.is_coordinator(actor, application.membership.community):
        raise ValidationError(_("Only a coordinator can decide."))
    if application.status != JoinStatus.PENDING:
        raise ValidationError(_("This has already been decided."))
    return application


@transaction.atomic
def approve_venue(application: VenueApplication, *, actor) -> Organisation:
    """The business joins as a partner organisation, with the member who asked as its staff."""
    application = _pending_for_update(application, actor)
    membership = application.membership
    organisation = partner_services.save_organisation(
        community=membership.community, actor=actor, name=application.name, type=application.type,
        description=application.description, contact_name=membership.user.name,
        contact_email=membership.user.email, contact_phone=application.contact_phone)
    partner_services.add_staff(organisation, actor=actor, membership=membership, job_title=_("Owner or manager"))
    application.status, application.organisation = JoinStatus.APPROVED, organisation
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save(update_fields=["status", "organisation", "decided_by", "decided_at"])
    return organisation


@transaction.atomic
def decline_venue(application: VenueApplication, *, actor, reason: str) -> VenueApplication:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, for the member who asked.")})
    application = _pending_for_update(application, actor)
    application.status, application.decision_reason = JoinStatus.DECLINED, reason.strip()
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    return application
