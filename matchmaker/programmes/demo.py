"""Demo programmes: Kendari–Blitar 2020 (completed) and one in progress around `now`.

Both are made through the same services as the pages, so the demo follows the rules (the 2020
series is recorded after the fact with `allow_past`). Idempotent: found by title, never doubled.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from matchmaker.auth.services import get_user_by_email
from matchmaker.cities.models import City, Need, Practice
from matchmaker.extensions import db
from matchmaker.programmes import services, sessions
from matchmaker.programmes.models import Programme

DEMO_FACILITATOR = "fasilitator@demo.id"
TITLE_2020 = "L2T2 Kendari–Blitar 2020"
TITLE_CURRENT = "Sedot tinja terjadwal: Sleman–Kendari"
MEETING_2020 = "https://zoom.us/j/2020012709"
MEETING_CURRENT = "https://meet.google.com/abc-defg-hij"
AGENDAS_2020 = [
    "Baseline dan diagnosis: kondisi air limbah Kota Blitar",
    "L2T2 Kendari secara mendalam: dari inisiasi 2016 sampai wajib bagi ASN 2018",
    "Regulasi dan kelembagaan: instruksi wali kota dan tim percepatan air limbah",
    "Pembiayaan dan tarif layanan lumpur tinja",
    "Operasi dan penjangkauan: memulai uji coba dengan ASN",
    "Rencana aksi replikasi L2T2 di Kota Blitar",
]


def _city(code: str) -> City | None:
    return db.session.scalar(select(City).where(City.code == code))


def _by_title(title: str) -> Programme | None:
    return db.session.scalar(select(Programme).where(Programme.title == title))


def demo_programme_2020() -> Programme | None:
    """The completed Kendari (mentor) – Blitar (mentee) wastewater programme of 2020."""
    return _by_title(TITLE_2020)


def demo_programme_current() -> Programme | None:
    return _by_title(TITLE_CURRENT)


def _first(model, city: City, topic: str):
    return db.session.scalar(select(model).where(model.city_id == city.id, model.topic == topic)
                             .order_by(model.id))


def _load_2020(facilitator, kendari: City, blitar: City) -> Programme:
    created = datetime(2020, 1, 10, 2, 0, tzinfo=UTC)
    programme = services.create_programme(
        facilitator, kendari, blitar, "wastewater", created, title=TITLE_2020,
        need_id=getattr(_first(Need, blitar, "wastewater"), "id", None),
        practice_id=getattr(_first(Practice, kendari, "wastewater"), "id", None))
    services.record_agreement(facilitator, programme, datetime(2020, 1, 20, 3, 0, tzinfo=UTC),
                              "PMU PPSP (Bappenas, dukungan USDP) memasangkan kedua kota.")
    held_by = datetime(2020, 4, 10, 0, 0, tzinfo=UTC)
    sessions.plan_series(facilitator, programme, 6, datetime(2020, 1, 27, 9, 0), held_by,
                         timezone="Asia/Jakarta", interval_days=14, duration_minutes=90,
                         meeting_url=MEETING_2020, agendas=AGENDAS_2020, allow_past=True)
    services.activate_programme(facilitator, programme, held_by)
    services.complete_programme(
        facilitator, programme, "plan", held_by, outcome_on="2020-04-06",
        evidence="Data demo: rencana aksi L2T2 bagi ASN Kota Blitar, disusun pada sesi 6; "
                 "tindak lanjut dipantau lewat grup WhatsApp.")
    return programme


def _load_current(facilitator, mentor: City, mentee: City, now: datetime) -> Programme:
    zone = mentee.timezone
    # First session three weeks ago on a Tuesday 10:00 mentee time; the rest lie ahead of `now`.
    local_now = now.astimezone(ZoneInfo(zone))
    start_day = local_now.date() - timedelta(days=21)
    start_day -= timedelta(days=(start_day.weekday() - 1) % 7)
    first = datetime.combine(start_day, time(10, 0))
    created = now - timedelta(days=35)
    programme = services.create_programme(
        facilitator, mentor, mentee, "wastewater", created, title=TITLE_CURRENT,
        need_id=getattr(_first(Need, mentee, "wastewater"), "id", None),
        practice_id=getattr(_first(Practice, mentor, "wastewater"), "id", None))
    services.record_agreement(facilitator, programme, now - timedelta(days=28),
                              "Disepakati pada rapat koordinasi.")
    sessions.plan_series(facilitator, programme, 6, first, now, timezone=zone, interval_days=14,
                         duration_minutes=90, meeting_url=MEETING_CURRENT, allow_past=True)
    services.activate_programme(facilitator, programme, now)
    return programme


def load_programme_demo(now: datetime) -> list[Programme]:
    """Add the two demo programmes unless they exist; needs the demo users and profiles."""
    facilitator = get_user_by_email(DEMO_FACILITATOR)
    kendari, blitar, sleman = _city("74.71"), _city("35.72"), _city("34.04")
    if facilitator is None or kendari is None or blitar is None or sleman is None:
        return []
    loaded = []
    programme = demo_programme_2020() or _load_2020(facilitator, kendari, blitar)
    loaded.append(programme)
    current = demo_programme_current()
    if current is None and services.open_programme_for(sleman, kendari, "wastewater") is None:
        current = _load_current(facilitator, sleman, kendari, now)
    if current is not None:
        loaded.append(current)
    db.session.flush()
    return loaded
