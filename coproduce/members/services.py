"""Joining, leaving, roles, profiles and consent: every write goes through here."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coproduce.accounts.emails import with_footer
from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.languages import language_for
from coproduce.communities.models import Area, Category, Community
from coproduce.members.models import (
    Application,
    ApplicationStatus,
    Demographics,
    Membership,
    MembershipStatus,
    Role,
)

User = get_user_model()


def _email_person(user, subject, template: str, context: dict) -> None:
    """Send once the transaction commits, so a rolled-back decision tells nobody; in the
    person's language (``subject`` is worded by a function called in it)."""
    if not user.email:
        return  # Assisted members hear from their coordinator instead.
    with translation.override(language_for(user, context.get("community"))):
        body = with_footer(render_to_string(template, {"user": user, "site_url": settings.SITE_URL, **context}))
        text = str(subject())
    transaction.on_commit(lambda: send_mail(text, body, None, [user.email]))


def _check_area(community: Community, area: Area | None) -> None:
    if area is not None and area.community_id != community.pk:
        raise ValidationError({"area": _("Choose one of this community's areas.")})


@transaction.atomic
def apply_to_community(
    *, user, community: Community, offers: str, needs: str, heard_from: str,
    consent: bool, area: Area | None = None,
) -> Application:
    """Ask to join. One pending application per person; members cannot apply again."""
    if not consent:
        raise ValidationError({"consent": _("Please agree to the privacy notice so we can keep your details.")})
    _check_area(community, area)
    if Membership.objects.active().filter(community=community, user=user).exists():
        raise ValidationError(_("You are already a member of %(community)s.") % {"community": community.name})
    if Application.objects.filter(community=community, user=user, status=ApplicationStatus.PENDING).exists():
        raise ValidationError(_("You have already applied to %(community)s; a coordinator will be in touch.")
                              % {"community": community.name})
    application = Application(
        community=community, user=user, offers=offers.strip(), needs=needs.strip(), heard_from=heard_from,
        area=area, consent_version=community.privacy_notice_version, consented_at=timezone.now(),
    )
    application.full_clean()
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        # A second tab raced the first: the constraint keeps it to one application.
        raise ValidationError(_("You have already applied to %(community)s; a coordinator will be in touch.")
                              % {"community": community.name}) from None
    record_audit(actor=user, action=AuditAction.APPLICATION_SUBMITTED, community=community, subject=user.name,
                 consent_version=application.consent_version)
    return application


def _lock_pending(application: Application) -> Application:
    application = Application.objects.select_for_update(of=("self",)).select_related("community", "user").get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(_("This application has already been %(status)s.")
                              % {"status": application.get_status_display()})
    return application


@transaction.atomic
def add_interview_notes(application: Application, *, actor, notes: str) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    application.interview_notes = notes.strip()
    application.full_clean()
    application.save(update_fields=["interview_notes"])
    record_audit(actor=actor, action=AuditAction.APPLICATION_NOTE, community=application.community,
                 on_behalf_of=None, subject=application.user.name)
    return application


@transaction.atomic
def approve_application(application: Application, *, actor) -> Membership:
    """Approve: the applicant becomes a member (or rejoins) and is told by e-mail."""
    application = _lock_pending(application)
    now = timezone.now()
    application.status = ApplicationStatus.APPROVED
    application.decided_by = actor
    application.decided_at = now
    application.save(update_fields=["status", "decided_by", "decided_at"])
    membership, created = Membership.objects.select_for_update().get_or_create(
        community=application.community, user=application.user,
        defaults={"area": application.area},
    )
    if not created:
        membership.status = MembershipStatus.ACTIVE
        membership.left_at = None
        # Someone rejoining may have moved: the area in their new application wins.
        membership.area = application.area or membership.area
        membership.save(update_fields=["status", "left_at", "area"])
    record_audit(actor=actor, action=AuditAction.APPLICATION_APPROVED, community=application.community,
                 subject=application.user.name)
    _email_person(application.user, lambda: _("Welcome to %(community)s") % {"community": application.community.name},
                  "members/email/approved.txt", {"community": application.community})
    return membership


@transaction.atomic
def decline_application(application: Application, *, actor, reason: str) -> Application:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the applicant understands.")})
    application = _lock_pending(application)
    application.status = ApplicationStatus.DECLINED
    application.decision_reason = reason
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    record_audit(actor=actor, action=AuditAction.APPLICATION_DECLINED, community=application.community,
                 subject=application.user.name, reason=reason)
    _email_person(application.user,
                  lambda: _("Your application to %(community)s") % {"community": application.community.name},
                  "members/email/declined.txt", {"community": application.community, "reason": reason})
    return application


def _lock_community_roles(community_id: int) -> None:
    """Serialise role changes and departures within one community.

    Without it two coordinators stepping down at once would each see the other still in
    post and leave the community with none. Lock the community row first, then the
    membership; the row locks below take only their own table (of=("self",)) so that
    order is never crossed and two of these never deadlock.
    """
    Community.objects.select_for_update().filter(pk=community_id).values_list("pk", flat=True).get()


@transaction.atomic
def leave_community(membership: Membership, *, actor) -> Membership:
    _lock_community_roles(membership.community_id)
    membership = Membership.objects.select_for_update(of=("self",)).select_related("community").get(pk=membership.pk)
    if membership.status == MembershipStatus.LEFT:
        raise ValidationError(_("You have already left this community."))
    if membership.role == Role.COORDINATOR and not Membership.objects.coordinators().filter(
            community=membership.community).exclude(pk=membership.pk).exists():
        raise ValidationError(_("You are this community's only coordinator: make someone else a coordinator first."))
    membership.status = MembershipStatus.LEFT
    membership.left_at = timezone.now()
    membership.role = Role.MEMBER
    membership.save(update_fields=["status", "left_at", "role"])
    record_audit(actor=actor, action=AuditAction.MEMBER_LEFT, community=membership.community,
                 on_behalf_of=membership.user if actor != membership.user else None,
                 subject=membership.user.name)
    return membership


@transaction.atomic
def register_assisted_member(
    *, community: Community, actor, name: str, phone: str = "", postal_address: str = "",
    area: Area | None = None, about_me: str = "", contact_preference: str = "coordinator", language: str = "",
) -> Membership:
    """Register someone without e-mail or internet; the coordinator acts for them later."""
    _check_area(community, area)
    user = User(name=name.strip(), phone=phone.strip(), postal_address=postal_address.strip(),
                about_me=about_me.strip(), contact_preference=contact_preference, is_assisted=True, email=None,
                language=language)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    membership = Membership.objects.create(community=community, user=user, area=area, registered_by=actor)
    record_audit(actor=actor, action=AuditAction.ASSISTED_REGISTERED, community=community,
                 on_behalf_of=user, subject=user.name)
    return membership


PERSON_FIELDS = ("name", "phone", "postal_address", "about_me", "languages", "language", "access_needs",
                 "contact_preference", "share_email", "share_phone")
MEMBERSHIP_FIELDS = ("area", "skills_text", "interests_text", "availability")


@transaction.atomic
def update_profile(
    membership: Membership, *, actor, person: dict, place: dict,
    skills: list[Category] | None = None, interests: list[Category] | None = None,
) -> Membership:
    """Change a profile. When someone else makes the change, the audit log says so."""
    unknown = (set(person) - set(PERSON_FIELDS)) | (set(place) - set(MEMBERSHIP_FIELDS))
    if unknown:
        raise ValueError(f"not a profile field: {', '.join(sorted(unknown))}")
    membership = Membership.objects.select_for_update(of=("self",)).select_related("user", "community").get(pk=membership.pk)
    community = membership.community
    _check_area(community, place.get("area"))
    for chosen in (skills or []) + (interests or []):
        if chosen.community_id != community.pk:
            raise ValidationError(_("Choose categories of this community."))
    user = membership.user
    for field, value in person.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=list(person) or None)
    for field, value in place.items():
        setattr(membership, field, value)
    membership.full_clean()
    membership.save(update_fields=list(place) or None)
    if skills is not None:
        membership.skills.set(skills)
    if interests is not None:
        membership.interests.set(interests)
    if actor.pk != user.pk:
        record_audit(actor=actor, action=AuditAction.PROFILE_CHANGED, community=community,
                     on_behalf_of=user, subject=user.name, fields=sorted([*person, *place]))
    return membership


@transaction.atomic
def change_role(membership: Membership, *, actor, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose member, coordinator or partner staff.")})
    _lock_community_roles(membership.community_id)
    membership = Membership.objects.select_for_update(of=("self",)).select_related("user", "community").get(pk=membership.pk)
    if not membership.is_active:
        raise ValidationError(_("%(name)s is no longer a member.") % {"name": membership.user.name})
    if membership.role == role:
        return membership
    if membership.role == Role.COORDINATOR and not Membership.objects.coordinators().filter(
            community=membership.community).exclude(pk=membership.pk).exists():
        raise ValidationError(_("A community needs at least one coordinator."))
    if role == Role.COORDINATOR and membership.user.is_assisted:
        raise ValidationError(_("An assisted member cannot log in, so cannot be a coordinator."))
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_audit(actor=actor, action=AuditAction.ROLE_CHANGED, community=membership.community,
                 on_behalf_of=membership.user, subject=membership.user.name, before=before, after=role)
    return membership


@transaction.atomic
def record_demographics(user, *, actor, age_band: str, gender: str, is_carer, has_disability,
                        consent: bool) -> Demographics:
    """Store demographics only with explicit consent."""
    if not consent:
        raise ValidationError({"consent": _("Tick the consent box to store these details, or leave them out.")})
    if actor.pk != user.pk and not user.is_assisted:
        raise PermissionDenied(_("Only the person themselves can give this consent."))
    demographics, created = Demographics.objects.update_or_create(
        user=user,
        defaults={"age_band": age_band, "gender": gender, "is_carer": is_carer,
                  "has_disability": has_disability, "consented_at": timezone.now()},
    )
    if created:
        _audit_consent(user, actor=actor, action=AuditAction.CONSENT_GIVEN)
    return demographics


@transaction.atomic
def withdraw_demographics(user, *, actor) -> None:
    """Withdrawing consent deletes the data, not just hides it."""
    deleted, _rows = Demographics.objects.filter(user=user).delete()
    if deleted:
        _audit_consent(user, actor=actor, action=AuditAction.CONSENT_WITHDRAWN)


def _audit_consent(user, *, actor, action) -> None:
    """Consent is the person's, but each community's coordinators see it in their own log."""
    on_behalf_of = user if actor.pk != user.pk else None
    communities = [m.community for m in Membership.objects.active().filter(user=user).select_related("community")]
    for community in communities or [None]:
        record_audit(actor=actor, action=action, community=community, on_behalf_of=on_behalf_of,
                     subject=user.name)
