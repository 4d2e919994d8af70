"""Erasing a person (issue 20), after pretix's data shredder: what is about them is cleared, their
free texts are redacted, and the ledger keeps every entry and every balance exact.

One transaction does it all, so an erasure stopped half-way (a killed worker) leaves nothing
done, and the next run starts again. In order:

1. Exchanges still waiting that would move their minutes are declined; then each of their member
   accounts is settled with the community's pot (``ledger.settle_for_erasure``: credits given to
   the pot, debts written off by it); the account stays, under the pseudonym.
2. They leave every community; their open offers and requests are withdrawn, their group places
   and future bookings ended, their staff roles ended, the referrals about them closed.
3. What only served them is deleted: e-mail addresses, two-factor devices, access tokens,
   calendar feeds, member cards and unused codes, e-mail choices, copies of their data, their blocks.
4. Every free text a model declares (``personal_data.free_text``) on rows they wrote is replaced by
   ``REDACTED``; a referral's reason becomes "other".
5. The person becomes "Former member <number>": no e-mail, phone, address or password, and every
   session they had is void (the password hash it was signed with has changed).
6. Their name and e-mail address, wherever else they were copied (audit entries, other people's
   texts, the ledger's descriptions), become the pseudonym: masked, never deleted.

Kept under the pseudonym, so that the figures recompute to the same values: their consented age
band and gender, their wellbeing answers, their attendance and their ledger entries. Nothing
links them to a name any more. Published releases hold no personal data and are not touched.
"""

import json
import logging

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Replace
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from coproduce.accounts.models import User
from coproduce.api.models import AccessToken
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.audit.services import mask_in_entries, record_audit
from coproduce.conversations.models import Block
from coproduce.groups.models import Booking, FeedToken, GroupMember, GroupMemberStatus
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Account, AccountKind, Entry, Transfer
from coproduce.ledger.services.erasure import REDACTED
from coproduce.lib.masking import replaced
from coproduce.market.models import Post, PostStatus
from coproduce.members.models import Membership, MembershipStatus
from coproduce.members.services import leave_community
from coproduce.notifications.models import DigestSent, Preference
from coproduce.partners.models import Staff
from coproduce.privacy.models import DataExport, ErasureRequest
from coproduce.privacy.registry import about_people
from coproduce.referrals.models import ClosedReason, Reason, Referral, ReferralStep, Step
from coproduce.rewards.models import MemberCard, RedemptionCode

log = logging.getLogger(__name__)

MIN_NAME_TO_MASK = 5  # shorter names ("Ann") would mask parts of other words


def pseudonym_of(user) -> str:
    return f"Former member {user.pk}"


def erased_email_of(user) -> str:
    return f"erased-{user.pk}@erased.invalid"  # RFC 2606: no such address can exist


@task()
def carry_out(erasure_id: int) -> None:
    """The background half of a coordinator's confirmation: erase, or say why not."""
    erasure = ErasureRequest.objects.filter(pk=erasure_id, status=ErasureRequest.Status.ERASING).first()
    if erasure is None:
        return
    try:
        erase(erasure)
    except ValidationError as error:  # a rule refused it (the pot at its floor): back to the queue, with why
        _refused(erasure, " ".join(error.messages))
    except Exception:
        log.exception("The erasure %s could not be carried out.", erasure_id)
        _refused(erasure, _("Something went wrong; nothing was erased. Try again, or tell the site admins."))


def _refused(erasure: ErasureRequest, message: str) -> None:
    ErasureRequest.objects.filter(pk=erasure.pk).update(status=ErasureRequest.Status.WAITING, error=message[:500])


@transaction.atomic
def erase(erasure: ErasureRequest) -> None:
    """Erase ``erasure.person`` (see the module's docstring). All or nothing."""
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if erasure.status == ErasureRequest.Status.DONE:  # a second run of the same task: nothing left to do
        return
    person = User.objects.select_for_update().get(pk=erasure.person_id)
    confirmed_by = erasure.confirmed_by  # None: the retention rule, where the person stands for themselves
    actor = confirmed_by or person
    name, email, pseudonym = person.name, person.email, pseudonym_of(person)
    memberships = list(Membership.objects.filter(user=person).select_related("community").order_by("pk"))
    settled = {}
    for account in Account.objects.filter(membership__user=person, kind=AccountKind.MEMBER).order_by("pk"):
        ledger.decline_open_for_erasure(account, settled_by=actor)
        balance = account.balance
        if ledger.settle_for_erasure(account, keyed_by=actor) is not None:
            settled[account.community_id] = balance
    for membership in memberships:
        if membership.status != MembershipStatus.LEFT:
            leave_community(membership, actor=actor)
    _end_what_runs_on(person, actor)
    _delete_what_only_served_them(person)
    _redact_free_texts(person)
    _pseudonymise(person)
    if len(name) >= MIN_NAME_TO_MASK:
        _mask_everywhere(name, pseudonym)
    if email:
        _mask_everywhere(email, erased_email_of(person))
    ledger.mask_texts(written_by=person, name=name if len(name) >= MIN_NAME_TO_MASK else "", pseudonym=pseudonym)
    for membership in memberships:
        record_audit(actor=confirmed_by, action=AuditAction.PERSON_ERASED, community=membership.community,
                     on_behalf_of=person, subject=pseudonym, erasure=erasure.pk,
                     settled_minutes=settled.get(membership.community_id, 0))
    # The retention rule's reason names nobody: it stays, where a coordinator's words were redacted.
    erasure.status, erasure.finished_at, erasure.error = ErasureRequest.Status.DONE, timezone.now(), ""
    erasure.save(update_fields=["status", "finished_at", "error"] + ([] if erasure.requested_by_id else ["reason"]))


def _end_what_runs_on(person, actor) -> None:
    now = timezone.now()
    Post.objects.filter(author__user=person, status__in=[PostStatus.OPEN, PostStatus.MATCHED]).update(
        status=PostStatus.WITHDRAWN)
    GroupMember.objects.filter(membership__user=person).exclude(status=GroupMemberStatus.LEFT).update(
        status=GroupMemberStatus.LEFT)
    Booking.objects.filter(membership__user=person, session__starts_at__gt=now).delete()
    Staff.objects.filter(user=person, left_on__isnull=True).update(left_on=now.date())
    for referral in Referral.objects.filter(membership__user=person).exclude(step=Step.CLOSED):
        ReferralStep.objects.create(referral=referral, step=Step.CLOSED, on=ledger.community_today(referral.community),
                                    recorded_by=actor)
        referral.step, referral.closed_reason = Step.CLOSED, ClosedReason.OTHER
        referral.save(update_fields=["step", "closed_reason"])
    Referral.objects.filter(membership__user=person).update(reason=Reason.OTHER)


def _delete_what_only_served_them(person) -> None:
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    AccessToken.objects.filter(user=person).delete()
    FeedToken.objects.filter(membership__user=person).delete()
    MemberCard.objects.filter(membership__user=person).delete()
    RedemptionCode.objects.filter(membership__user=person, redemption__isnull=True).delete()
    Preference.objects.filter(user=person).delete()
    DigestSent.objects.filter(user=person).delete()
    DataExport.objects.filter(person=person).delete()
    Block.objects.filter(blocker=person).delete()


def _redact_free_texts(person) -> None:
    """Every declared free text on the rows ``person`` wrote; an empty text stays empty."""
    for declared in about_people():
        declaration = declared.declaration
        if not declaration.free_text or declared.model in (User, Transfer):  # the person, and the ledger's own way
            continue
        declared.model._default_manager.filter(**{declaration.author: person.pk}).update(**{
            field: Case(When(**{field: ""}, then=Value("")), default=Value(REDACTED))
            for field in declaration.free_text})
    for post in Post.objects.filter(author__user=person):  # the search index held their words too
        post.save(update_fields=["title", "description"])


def _pseudonymise(person) -> None:
    person.name = pseudonym_of(person)
    person.email = erased_email_of(person)
    person.phone = person.postal_address = person.about_me = person.languages = person.access_needs = ""
    person.language = ""
    person.share_email = person.share_phone = False
    person.is_active = False
    person.last_login = None
    person.set_unusable_password()  # every session signed with the old hash is void
    person.save()


def _text_columns():
    """(model, field) for every text column that could hold a copy of a name, but the ledger's
    transfers (masked by the ledger) and unique or coded columns."""
    for model in apps.get_models():
        if model in (Transfer, Entry, AuditEntry) or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if (isinstance(field, models.CharField | models.TextField) and not (field.unique or field.choices)) or isinstance(field, models.JSONField):
                yield model, field


def _mask_everywhere(text: str, replacement: str) -> None:
    """``text`` becomes ``replacement`` in every text column of every table (see ``_text_columns``);
    the audit log masks its own entries."""
    mask_in_entries(text, replacement)
    for model, field in _text_columns():
        rows = model._default_manager.all()
        if isinstance(field, models.JSONField):
            # PostgreSQL shows a JSON text as it is, SQLite as Django wrote it (non-ASCII escaped).
            found = rows.annotate(_as_text=Cast(field.name, models.TextField())).filter(
                Q(_as_text__contains=text) | Q(_as_text__contains=json.dumps(text)[1:-1])).values_list(
                "pk", field.name)
            for pk, value in found:
                rows.filter(pk=pk).update(**{field.name: replaced(value, text, replacement)})
            continue
        rows.filter(**{f"{field.name}__contains": text}).update(
            **{field.name: Replace(F(field.name), Value(text), Value(replacement))})

