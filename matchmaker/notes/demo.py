"""Demo notes: the six Kendari–Blitar sessions of 2020 with the three lessons of DOMAIN.md.

Written through `log_notes`, as the demo facilitator and Pokja members would have done after
each session. Idempotent: a session that already has anything logged is left alone. Needs the
programmes demo (and its users); without it, nothing happens.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from matchmaker.auth.services import get_user_by_email
from matchmaker.cities.models import City
from matchmaker.extensions import db
from matchmaker.notes.queries import session_has_notes
from matchmaker.notes.services import log_notes
from matchmaker.programmes.models import Programme, ProgrammeSession, ProgrammeStatus, SessionStatus

KENDARI, BLITAR, SLEMAN = "74.71", "35.72", "34.04"
AUTHORS = {"facilitator": "fasilitator@demo.id", BLITAR: "pokja.blitar@demo.id",
           KENDARI: "pokja.kendari@demo.id"}

ATTENDANCE_2020 = [
    {"name": "Kepala Bidang Cipta Karya", "city": BLITAR, "agency": "Dinas PUPR Kota Blitar"},
    {"name": "Perencana Bidang Infrastruktur", "city": BLITAR, "agency": "Bappeda Kota Blitar"},
    {"name": "Sanitarian", "city": BLITAR, "agency": "Dinas Kesehatan Kota Blitar"},
    {"name": "Kepala Seksi Air Limbah", "city": KENDARI, "agency": "Dinas PUPR Kota Kendari"},
    {"name": "Koordinator Tim Percepatan Air Limbah", "city": KENDARI, "agency": "Bappeda Kota Kendari"},
    {"name": "Fasilitator PMU PPSP", "city": "", "agency": "Bappenas / USDP"},
]

# (session number, who logs, body, lessons, actions); dates are relative to the session day.
SESSIONS_2020 = [
    (1, BLITAR,
     "## Baseline dan diagnosis\n"
     "- Kota Blitar memaparkan kondisi air limbah: sebagian besar rumah memakai tangki septik "
     "yang belum pernah disedot.\n- IPLT tersedia tetapi jarang menerima lumpur tinja.\n"
     "- Kebutuhan: memulai layanan lumpur tinja terjadwal (L2T2).", [], []),
    (2, KENDARI,
     "## L2T2 Kota Kendari secara mendalam\n"
     "1. 2016: inisiasi L2T2 oleh Dinas PUPR.\n2. 2017: dipromosikan kepada masyarakat.\n"
     "3. 2018: wajib bagi seluruh ASN lewat **instruksi wali kota** dengan sanksi.\n\n"
     "Tim percepatan air limbah memantau pelaksanaan.",
     [{"text": "Lakukan advokasi kepada kepala daerah untuk meraih komitmennya sejak awal: L2T2 di "
               "Kendari berjalan karena wali kota mendukung dan memberi contoh.",
       "outcome": "improved_consensus", "topic": "governance"}],
     [{"text": "Kirim salinan instruksi wali kota dan SOP L2T2 Kota Kendari kepada Pokja Blitar",
       "owner_city": KENDARI, "owner_person": "Kepala Seksi Air Limbah", "due_days": 7, "status": "done"}]),
    (3, "facilitator",
     "## Regulasi dan kelembagaan\nKendari menjelaskan isi instruksi wali kota, sanksi bagi ASN, "
     "dan peran tim percepatan air limbah.",
     [{"text": "Perkuat uji coba dengan instruksi wali kota: kewajiban bagi ASN beserta sanksinya "
               "membuat jumlah pelanggan naik dan pendapatan layanan stabil.",
       "outcome": "new_knowledge", "topic": "wastewater"}],
     [{"text": "Susun draf instruksi wali kota tentang L2T2 bagi ASN Kota Blitar",
       "owner_city": BLITAR, "owner_person": "Bagian Hukum Setda", "due_days": 28, "status": "done"}]),
    (4, BLITAR,
     "## Pembiayaan dan tarif\nTarif sedot tinja terjadwal di Kendari dibayar bulanan; Blitar "
     "menghitung biaya operasi truk tinja dan IPLT.", [], []),
    (5, KENDARI,
     "## Operasi dan penjangkauan\nUji coba paling mudah dimulai dari rumah ASN: datanya tersedia, "
     "pembayaran lewat gaji, dan ASN menjadi contoh bagi warga.",
     [{"text": "Mulai uji coba dengan ASN: rumah ASN mudah didata, iurannya bisa dipotong dari gaji, "
               "dan mereka menjadi contoh sebelum layanan dibuka untuk masyarakat umum.",
       "outcome": "new_action", "topic": "wastewater"}],
     [{"text": "Data tangki septik rumah ASN Kota Blitar", "owner_city": BLITAR,
       "owner_person": "Dinas PUPR", "due_days": 21, "status": "done"}]),
    (6, "facilitator",
     "## Rencana aksi replikasi\nBlitar menyusun rencana aksi L2T2 bagi ASN. Tindak lanjut "
     "dipantau lewat grup WhatsApp kedua Pokja.", [],
     [{"text": "Usulkan anggaran uji coba L2T2 bagi ASN dalam RKPD 2021", "owner_city": BLITAR,
       "owner_person": "Bappeda", "due_days": 60, "status": "done"}]),
]


def _city_id(code: str) -> int | None:
    return db.session.scalar(select(City.id).where(City.code == code))


def _programme(mentor: str, mentee: str, year: int | None = None, open_only: bool = False):
    mentor_id, mentee_id = _city_id(mentor), _city_id(mentee)
    stmt = select(Programme).where(Programme.mentor_city_id == mentor_id,
                                   Programme.mentee_city_id == mentee_id,
                                   Programme.topic == "wastewater").order_by(Programme.id)
    if open_only:
        stmt = stmt.where(Programme.status.in_(
            (ProgrammeStatus.PROPOSED, ProgrammeStatus.AGREED, ProgrammeStatus.ACTIVE)))
    for programme in db.session.scalars(stmt):
        if year is None or (programme.sessions and programme.sessions[0].starts_at.year == year):
            return programme
    return None


def _actions(rows: list[dict], session: ProgrammeSession) -> list[dict]:
    day = session.starts_at.astimezone(ZoneInfo(session.programme.mentee.timezone)).date()
    return [{**{k: v for k, v in row.items() if k != "due_days"},
             "due": row.get("due") or (day + timedelta(days=row["due_days"])).isoformat()} for row in rows]


def _log(session: ProgrammeSession, who: str, body: str, lessons, actions, attendance) -> bool:
    author = get_user_by_email(AUTHORS.get(who, AUTHORS["facilitator"])) or get_user_by_email(
        AUTHORS["facilitator"])
    if author is None or session.status == SessionStatus.CANCELLED or session_has_notes(session.id):
        return False
    logged_at = session.ends_at + timedelta(hours=2)
    log_notes(author, session, body, attendance, lessons, _actions(actions, session), logged_at)
    return True


def load_notes_demo(now: datetime) -> int:
    """Log the demo notes (idempotent); return how many sessions got notes this time."""
    logged = 0
    programme = _programme(KENDARI, BLITAR, year=2020)
    if programme is not None:
        by_number = {s.number: s for s in programme.sessions}
        for number, who, body, lessons, actions in SESSIONS_2020:
            if number in by_number:
                logged += _log(by_number[number], who, body, lessons, actions, ATTENDANCE_2020)
    current = _programme(SLEMAN, KENDARI, open_only=True)
    if current is not None:
        held = [s for s in current.sessions if s.ends_at < now and s.status != SessionStatus.CANCELLED]
        if held:
            first = held[0]
            due = (now + timedelta(days=10)).astimezone(ZoneInfo(current.mentee.timezone)).date()
            logged += _log(first, "facilitator",
                           "## Baseline dan diagnosis\nKendari memaparkan kepesertaan L2T2 masyarakat "
                           "umum yang masih rendah; Sleman membagikan cara pemasarannya.",
                           [], [{"text": "Kirim data pelanggan L2T2 per kecamatan", "owner_city": KENDARI,
                                 "owner_person": "Dinas PUPR", "due": due.isoformat()}],
                           [{"name": "Kepala Seksi Air Limbah", "city": KENDARI,
                             "agency": "Dinas PUPR Kota Kendari"},
                            {"name": "Fasilitator PMU PPSP", "city": "", "agency": "Bappenas"}])
    db.session.flush()
    return logged

