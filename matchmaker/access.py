"""Roles and the checks every domain's access rules build on.

Each domain keeps its own rules in its `access.py` (who may edit a city, who takes part in a
programme); this module only knows roles. It imports no domain package, so every domain can
use it. An actor is anything shaped like `auth.models.User` (Flask-Login's anonymous user too).
"""

import enum
from typing import Protocol

from flask_babel import gettext as _
from typing_extensions import TypeIs

from matchmaker.errors import Forbidden


class Role(enum.StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    POKJA = "pokja"
    VIEWER = "viewer"


# Roles that facilitate: an admin can do everything a facilitator can.
FACILITATING = frozenset({Role.ADMIN, Role.FACILITATOR})


class Actor(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def role(self) -> str: ...
    @property
    def city_id(self) -> int | None: ...
    @property
    def is_enabled(self) -> bool: ...
    @property
    def is_authenticated(self) -> bool: ...


def is_signed_in(actor: Actor | None) -> TypeIs[Actor]:
    """A real, enabled account; False for None and for Flask-Login's anonymous user."""
    return bool(actor is not None and actor.is_authenticated and actor.is_enabled)


def has_role(actor: Actor | None, *roles: Role) -> TypeIs[Actor]:
    return is_signed_in(actor) and any(actor.role == role for role in roles)


def is_facilitator(actor: Actor | None) -> TypeIs[Actor]:
    """Signed-in facilitator or admin; safe to call with the anonymous user."""
    return has_role(actor, *FACILITATING)


def is_admin(actor: Actor | None) -> bool:
    return has_role(actor, Role.ADMIN)


def is_pokja_of(actor: Actor | None, city_ids) -> bool:
    """A Pokja member bound to one of these cities."""
    return has_role(actor, Role.POKJA) and actor.city_id in city_ids


def ensure_facilitator(actor: Actor | None) -> None:
    if not is_facilitator(actor):
        raise Forbidden(_("Hanya fasilitator yang boleh melakukan ini."))


def ensure_admin(actor: Actor | None) -> None:
    if not is_admin(actor):
        raise Forbidden(_("Hanya admin yang boleh melakukan ini."))


class Operator:
    """The person at the terminal running `flask …` commands: they hold the database already, so
    commands that name no user act with an admin's rights (and record no user as the author)."""

    id = None
    role = Role.ADMIN
    city_id = None
    is_enabled = True
    is_authenticated = True
    name = "operator"


OPERATOR = Operator()
