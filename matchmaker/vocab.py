"""Fixed vocabularies of DOMAIN.md, with their display labels."""

from flask_babel import lazy_gettext as _l

TOPICS = {
    "building": _l("Bangunan"),
    "road": _l("Jalan lingkungan"),
    "drinking_water": _l("Air minum"),
    "drainage": _l("Drainase"),
    "wastewater": _l("Air limbah"),
    "solid_waste": _l("Persampahan"),
    "fire_protection": _l("Proteksi kebakaran"),
    "public_open_space": _l("Ruang terbuka publik"),
    "hygiene_behaviour": _l("Perilaku higiene (STBM)"),
    "governance": _l("Tata kelola"),
    "livelihood": _l("Penghidupan"),
}

MATURITY = {
    "idea": _l("Gagasan"),
    "pilot": _l("Uji coba"),
    "operational": _l("Beroperasi"),
    "institutionalised": _l("Terlembagakan"),
}

PRIORITY = {"low": _l("Rendah"), "medium": _l("Sedang"), "high": _l("Tinggi")}

FISCAL_CAPACITY = {
    "very_low": _l("Sangat rendah"),
    "low": _l("Rendah"),
    "medium": _l("Sedang"),
    "high": _l("Tinggi"),
    "very_high": _l("Sangat tinggi"),
}

OUTCOME_TYPES = {
    "new_knowledge": _l("Pengetahuan baru"),
    "enhanced_skill": _l("Keterampilan meningkat"),
    "improved_consensus": _l("Konsensus membaik"),
    "enhanced_connectivity": _l("Jejaring meningkat"),
    "new_action": _l("Tindakan baru"),
}

ROLES = {
    "admin": _l("Admin"),
    "facilitator": _l("Fasilitator"),
    "pokja": _l("Pokja kota"),
    "viewer": _l("Pembaca"),
}

KINDS = {"kota": _l("Kota"), "kabupaten": _l("Kabupaten")}
