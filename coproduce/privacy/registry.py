"""Every model's declaration of the personal data it holds, read from the models themselves
(``personal_data = ...`` on the class, see ``coproduce.lib.personal_data``). The few models of
libraries we use are declared here, as their classes are not ours to change."""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from coproduce.accounts.models import User
from coproduce.ledger.models import Account
from coproduce.lib.personal_data import Audience, Basis, Kept, NamesPeople, PersonalData, Purpose
from coproduce.members.models import Membership

LIBRARY_MODELS = {
    "account.EmailAddress": PersonalData(
        title=_("E-mail addresses"), about=("user",), purpose=Purpose.SECURITY, basis=Basis.CONTRACT,
        seen_by=Audience.PERSON, kept=Kept.MEMBERSHIP, free_text=("email",)),
    "mfa.Authenticator": PersonalData(
        title=_("Two-factor authentication"), about=("user",), purpose=Purpose.SECURITY, basis=Basis.CONTRACT,
        seen_by=Audience.PERSON, kept=Kept.MEMBERSHIP, withheld=("data",)),
    "admin.LogEntry": NamesPeople(names=("user",), purpose=Purpose.ACCOUNTABILITY),
}


@dataclass(frozen=True)
class Declared:
    model: type[models.Model]
    declaration: PersonalData | NamesPeople

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def about_people(self) -> bool:
        return isinstance(self.declaration, PersonalData)


@cache
def declarations() -> tuple[Declared, ...]:
    """Every model that holds personal data, in the order of the installed apps."""
    found = []
    for model in apps.get_models():
        declaration = model.__dict__.get("personal_data") or LIBRARY_MODELS.get(model._meta.label)
        if declaration is not None:
            found.append(Declared(model, declaration))
    return tuple(found)


def about_people() -> tuple[Declared, ...]:
    """The declarations of rows about people: what goes into a person's copy of their data."""
    return tuple(declared for declared in declarations() if declared.about_people)


def person_fields(model) -> list[models.Field]:
    """The fields of ``model`` that point at a person: a user or a membership."""
    return [field for field in model._meta.concrete_fields
            if field.is_relation and field.related_model in (User, Membership)]


def points_at_ledger_accounts(model) -> bool:
    return any(field.is_relation and field.related_model is Account for field in model._meta.concrete_fields)


def _resolves_to_user(model, lookup: str) -> bool:
    if lookup == "pk":
        return model is User
    for part in lookup.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation:
            return False
        model = field.related_model
    return model is User


def problems_with(model) -> list[str]:
    """What is wrong with ``model``'s declaration: missing although it points at people, a field
    pointing at a person that it does not classify, a lookup that does not lead to a user, a
    field named that it does not have."""
    label = model._meta.label
    declaration = model.__dict__.get("personal_data") or LIBRARY_MODELS.get(label)
    pointing = person_fields(model)
    if declaration is None:
        if pointing or points_at_ledger_accounts(model):
            return [f"{label} points at people but declares no personal_data"]
        return []
    found = []
    classified = {lookup.split("__")[0] for lookup in declaration.about} | set(declaration.names)
    found += [f"{label}.{field.name} points at a person but is neither in about nor in names"
              for field in pointing if field.name not in classified]
    found += [f"{label}: the lookup {lookup!r} does not lead to a user"
              for lookup in declaration.about if not _resolves_to_user(model, lookup)]
    free_text = getattr(declaration, "free_text", ())
    if free_text and not declaration.author:
        found.append(f"{label} has free texts but does not say who wrote them (written_by)")
    elif free_text and declaration.author != "pk" and not _resolves_to_user(model, declaration.author):
        found.append(f"{label}: written_by {declaration.author!r} does not lead to a user")
    fields = {field.name for field in model._meta.get_fields()}
    for kind in ("names", "withheld", "free_text"):
        found += [f"{label}.{kind} names {name!r}, which it does not have"
                  for name in getattr(declaration, kind, ()) if name not in fields]
    return found


def check_declarations(app_configs=None, **kwargs) -> list[checks.Error]:
    """``manage.py check``: every model's declaration is complete (privacy.E001)."""
    return [checks.Error(problem, id="privacy.E001") for model in apps.get_models() for problem in problems_with(model)]


def declared_bases() -> dict[Purpose, list[Basis]]:
    """{purpose: the lawful bases its models declare}, in the order of ``Purpose`` and ``Basis``."""
    found: dict[Purpose, set] = {}
    for declared in about_people():
        found.setdefault(declared.declaration.purpose, set()).add(declared.declaration.basis)
    return {purpose: [basis for basis in Basis if basis in found[purpose]] for purpose in Purpose if purpose in found}


def basis_for(declaration: PersonalData, community=None) -> Basis:
    """The lawful basis of ``declaration``'s rows: the one ``community`` states for its purpose, if it
    states one, otherwise the one the model declares."""
    stated = (community.lawful_bases or {}).get(declaration.purpose) if community is not None else None
    return Basis(stated) if stated in Basis.values else declaration.basis
