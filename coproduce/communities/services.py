"""Every write to communities, areas and categories goes through these functions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities import hooks
from coproduce.communities.activities import Activity
from coproduce.communities.models import Area, Category, Community
from coproduce.communities.taxonomy import DEFAULT_TAXONOMY


@transaction.atomic
def create_community(*, name: str, slug: str, actor=None, **fields) -> Community:
    """Create a community with the default category taxonomy."""
    community = Community(name=name, slug=slug, **fields)
    community.full_clean()
    community.save()
    install_default_categories(community)
    hooks.community_created.send(community)
    record_audit(actor=actor, action=AuditAction.COMMUNITY_CREATED, community=community, subject=name)
    return community


def taxonomy_translations(name: str, default_language: str) -> dict:
    """A default category's name in every other language of the site, from the catalogues (each
    shipped, whichever the community offers)."""
    found = {}
    for code in [code for code, _name in settings.LANGUAGES if code != default_language]:
        with translation.override(code):
            found[code] = {"name": translation.gettext(name)}
    return found


def install_default_categories(community: Community) -> None:
    """Two inserts in all (tops, then children): seeding many communities stays quick. The names
    are in the community's language, with the others beside them."""
    language = community.default_language

    def named(name: str) -> dict:
        with translation.override(language):
            own = translation.gettext(name)
        return {"name": own, "translations": taxonomy_translations(name, language)}

    tops = Category.objects.bulk_create(
        Category(community=community, activity=activity, position=position, **named(top_name))
        for position, (top_name, activity, _children) in enumerate(DEFAULT_TAXONOMY, start=1)
    )
    Category.objects.bulk_create(
        Category(community=community, parent=top, activity=child_activity, position=i, **named(child))
        for top, (_name, _activity, children) in zip(tops, DEFAULT_TAXONOMY, strict=True)
        for i, (child, child_activity) in enumerate(children, start=1)
    )


SETTINGS_FIELDS = (
    "name", "description", "default_language", "languages", "time_zone", "contact_email", "privacy_notice", "privacy_notice_version",
    "min_balance_minutes", "max_balance_minutes", "confirmation_window_days",
    "after_confirmation_window", "small_count_k", "small_count_rule", "brokerage_after_days",
    "started_on", "pot_floor_minutes", "organisation_floor_minutes", "backdate_days",
    "approval_ceiling_minutes", "brand_colour", "erasure_cooling_off_days",
    "retention_months",
)


def check_started_on(community: Community, started_on) -> None:
    """Nothing is recorded before a community starts, so its start date cannot move past its
    first exchange, nor into the future."""
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("The start date cannot be in the future.")})
    if started_on.year < 1900:
        raise ValidationError({"started_on": _("Give the date the time bank started, such as 2019-04-01.")})
    if community.pk is None:
        return
    # Through the reverse relation, so this app needs no import of the ledger above it.
    first = community.transfers.filter(performed_on__lt=started_on).order_by("performed_on").first()
    if first is not None:
        raise ValidationError({"started_on": _(
            "Exchanges are recorded from %(date)s; the start date cannot be after the first of them.")
            % {"date": first.performed_on.isoformat()}})


@transaction.atomic
def update_community_settings(community: Community, *, actor, translations: dict | None = None,
                              **changes) -> Community:
    """``translations``: the name and description in other languages (``lib.translated``), when
    they changed."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not a community setting: {', '.join(sorted(unknown))}")
    community = Community.objects.select_for_update().get(pk=community.pk)
    if changes.get("started_on") is not None:
        check_started_on(community, changes["started_on"])
    if translations is not None:
        changes["translations"] = translations
    before = {field: getattr(community, field) for field in changes}
    for field, value in changes.items():
        setattr(community, field, value)
    community.full_clean()
    community.save(update_fields=list(changes))
    changed = {f: [str(before[f]), str(v)] for f, v in changes.items() if before[f] != v}
    if changed:
        record_audit(actor=actor, action=AuditAction.SETTINGS_CHANGED, community=community,
                     subject=community.name, changes=changed)
    return community


@transaction.atomic
def add_area(community: Community, *, actor, code: str, name: str, latitude=None, longitude=None) -> Area:
    code = code.strip().upper()
    if Area.objects.filter(community=community, code=code).exists():
        raise ValidationError({"code": _("This community already has an area with the code %(code)s.") % {"code": code}})
    area = Area(community=community, code=code, name=name.strip(), latitude=latitude, longitude=longitude)
    area.full_clean()
    area.save()
    record_audit(actor=actor, action=AuditAction.AREA_ADDED, community=community, subject=f"{code} {name}")
    return area


def _check_category_name(community, parent, name, exclude_pk=None):
    clash = Category.objects.filter(community=community, parent=parent, name__iexact=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": _("There is already a category called “%(name)s” here.") % {"name": name}})


@transaction.atomic
def add_category(community: Community, *, actor, name: str, activity: str | None = None,
                 parent: Category | None = None) -> Category:
    """A new category. Without an ``activity`` it counts in the valuation as its parent does, or as
    general volunteering; coordinators change that on the valuation page."""
    name = name.strip()
    if not activity:
        activity = parent.activity if parent is not None else Activity.GENERAL
    if parent is not None and parent.community_id != community.pk:
        raise ValidationError({"parent": _("Choose a category of this community.")})
    if parent is not None and parent.parent_id is not None:
        raise ValidationError({"parent": _("Categories go two levels deep: choose a top-level category.")})
    _check_category_name(community, parent, name)
    category = Category(community=community, parent=parent, name=name, activity=activity)
    category.full_clean()
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise ValidationError({"name": _("There is already a category called “%(name)s” here.") % {"name": name}}) from None
    record_audit(actor=actor, action=AuditAction.CATEGORY_ADDED, community=community, subject=str(category))
    return category


@transaction.atomic
def rename_category(category: Category, *, actor, name: str, activity: str | None = None,
                    translations: dict | None = None) -> Category:
    """A new name (and, when given, its names in the other languages)."""
    name = name.strip()
    _check_category_name(category.community, category.parent, name, exclude_pk=category.pk)
    old = str(category)
    category.name = name
    if activity:
        category.activity = activity
    if translations is not None:
        category.translations = translations
    category.full_clean()
    category.save(update_fields=["name", "activity", "translations"])
    record_audit(actor=actor, action=AuditAction.CATEGORY_RENAMED, community=category.community,
                 subject=str(category), before=old)
    return category


@transaction.atomic
def set_category_retired(category: Category, *, actor, retired: bool) -> Category:
    """Retire (hide from new use) or restore a category; retiring a parent retires its children."""
    if category.retired == retired:
        return category
    family = Category.objects.filter(pk=category.pk) | Category.objects.filter(parent=category)
    if retired:
        Category.objects.filter(pk__in=family.values("pk")).update(retired=True)
    else:
        if category.parent_id and category.parent.retired:
            raise ValidationError(_("Bring back “%(parent)s” first.") % {"parent": category.parent.name})
        Category.objects.filter(pk=category.pk).update(retired=False)
    category.refresh_from_db()
    record_audit(actor=actor,
                 action=AuditAction.CATEGORY_RETIRED if retired else AuditAction.CATEGORY_RESTORED,
                 community=category.community, subject=str(category))
    return category
