"""Small constructed profiles for the matching service, views, API and CLI tests."""

import pytest
from sqlalchemy import select

from matchmaker.cities.importer import import_profiles
from matchmaker.cities.models import City
from matchmaker.extensions import db
from matchmaker.programmes.models import Programme, ProgrammeStatus

KENDARI, BLITAR, JAYAPURA, MALANG, SEMARANG, KAB_MALANG = (
    "74.71", "35.72", "91.71", "35.73", "33.74", "35.07")

PROFILES = {
    "cities": [
        {"code": KENDARI, "indicators": {"year": 2024, "sanitation_access_pct": 91.0,
                                         "drinking_water_access_pct": 94.0, "fiscal_capacity": "medium"}},
        {"code": BLITAR, "indicators": {"year": 2024, "sanitation_access_pct": 78.0,
                                        "drinking_water_access_pct": 88.0, "fiscal_capacity": "medium"}},
        {"code": MALANG, "indicators": {"year": 2024, "sanitation_access_pct": 85.0,
                                        "fiscal_capacity": "high"}},
        {"code": SEMARANG, "indicators": {"year": 2024, "sanitation_access_pct": 88.0,
                                          "fiscal_capacity": "high"}},
    ],
    "practices": [
        {"city": KENDARI, "topic": "wastewater",
         "title": "Layanan Lumpur Tinja Terjadwal (L2T2) bagi ASN",
         "description": "Penyedotan lumpur tinja terjadwal diwajibkan bagi ASN lewat instruksi wali "
                        "kota; lumpur diolah di IPLT; operator UPTD mencatat pelanggan.",
         "maturity": "institutionalised", "started_year": 2016},
        {"city": MALANG, "topic": "wastewater", "title": "IPAL komunal berbasis masyarakat",
         "description": "Pembangunan IPAL komunal di permukiman padat dengan KSM pengelola.",
         "maturity": "operational", "started_year": 2015},
        {"city": SEMARANG, "topic": "wastewater", "title": "Rencana sistem perpipaan air limbah",
         "description": "Gagasan SPALD-T untuk pusat kota.", "maturity": "idea"},
        {"city": BLITAR, "topic": "solid_waste", "title": "Bank sampah sekolah",
         "description": "Bank sampah di sekolah dasar dengan tabungan murid.",
         "maturity": "operational", "started_year": 2019},
    ],
    "needs": [
        {"city": BLITAR, "topic": "wastewater", "title": "Memulai L2T2 untuk ASN",
         "description": "Memulai layanan lumpur tinja terjadwal dari rumah ASN, dasar hukum "
                        "instruksi wali kota dan pengoperasian IPLT.", "priority": "high"},
        {"city": JAYAPURA, "topic": "wastewater", "title": "Membangun IPAL komunal",
         "description": "IPAL komunal untuk permukiman padat.", "priority": "medium"},
        {"city": KENDARI, "topic": "solid_waste", "title": "Bank sampah di sekolah",
         "description": "Menggerakkan bank sampah sekolah.", "priority": "low"},
    ],
}


@pytest.fixture
def profiles(app, now):
    import_profiles(PROFILES, now)
    db.session.commit()
    return PROFILES


@pytest.fixture
def city():
    def get(code: str) -> City:
        return db.session.scalar(select(City).where(City.code == code))
    return get


@pytest.fixture
def make_programme(make_programme):
    """The root factory with the matching tests' defaults: an active programme."""

    def make(mentor: str, mentee: str, topic: str = "wastewater",
             status: ProgrammeStatus = ProgrammeStatus.ACTIVE) -> Programme:
        return make_programme(mentor, mentee, topic, status=status)

    return make
