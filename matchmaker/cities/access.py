"""Who may change a city's profile, and getters that load and authorise in one step."""

from flask_babel import gettext as _
from sqlalchemy import select

from matchmaker.access import Actor, Role, has_role, is_facilitator
from matchmaker.cities.models import City, Need, Practice
from matchmaker.errors import Forbidden, NotFound
from matchmaker.extensions import db


def can_edit_city(actor: Actor | None, city: City) -> bool:
    """Facilitators edit every city; a Pokja member only their own; viewers nothing."""
    return is_facilitator(actor) or (has_role(actor, Role.POKJA) and actor.city_id == city.id)


def ensure_can_edit_city(actor: Actor | None, city: City) -> None:
    if not can_edit_city(actor, city):
        raise Forbidden(_("Anda tidak boleh mengubah profil %(city)s.", city=city.name))


def get_city(code: str) -> City:
    """Any signed-in user reads every profile."""
    city = db.session.scalar(select(City).where(City.code == code))
    if city is None:
        raise NotFound(_("Kota/kabupaten dengan kode %(code)s tidak ada.", code=code))
    return city


def get_editable_city(actor: Actor | None, code: str) -> City:
    city = get_city(code)
    ensure_can_edit_city(actor, city)
    return city


def get_practice(practice_id: int) -> Practice:
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound(_("Praktik tidak ditemukan."))
    return practice


def get_editable_practice(actor: Actor | None, practice_id: int) -> Practice:
    practice = get_practice(practice_id)
    ensure_can_edit_city(actor, practice.city)
    return practice


def get_need(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None:
        raise NotFound(_("Kebutuhan tidak ditemukan."))
    return need


def get_editable_need(actor: Actor | None, need_id: int) -> Need:
    need = get_need(need_id)
    ensure_can_edit_city(actor, need.city)
    return need
