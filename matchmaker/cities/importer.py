"""Reference regions and figures, and import / export of profiles (JSON, XLSX, CSV set).

An import is validated whole before anything is written: one bad record refuses the file.
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from matchmaker.access import ensure_facilitator, is_facilitator
from matchmaker.cities import tabular
from matchmaker.cities.figures import Origin
from matchmaker.cities.models import City, Indicator, Need, Practice, ProfileChange, ProvinceFigure
from matchmaker.cities.schemas import clean_indicators, clean_need, clean_practice
from matchmaker.cities.services import (
    NEED_FIELDS,
    PRACTICE_FIELDS,
    apply_figures,
    indicator_dict,
    need_dict,
    practice_dict,
)
from matchmaker.errors import ValidationError
from matchmaker.extensions import db

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
Progress = Callable[[int], None]


def _noop(_n: int) -> None:
    return None


def load_regions(progress: Progress = _noop) -> dict[str, int]:
    """Insert or refresh the 514 kabupaten/kota and the province access figures; idempotent."""
    existing = {c.code: c for c in db.session.scalars(select(City))}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with open(DATA_DIR / "regions_kabkota.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            values = {
                "name": row["name"], "name_short": row["name_short"],
                "kind": row["type"].lower(), "province_code": row["province_code"],
                "province_name": row["province_name"], "timezone": row["iana_tz"],
                "utc_offset": int(row["utc_offset"][:3]),
                "latitude": float(row["latitude"]) if row["latitude"] else None,
                "longitude": float(row["longitude"]) if row["longitude"] else None,
                "area_km2": float(row["area_km2"]) if row["area_km2"] else None,
                "population": int(row["population"]) if row["population"] else None,
                "is_autonomous": row["autonomous"] == "true",
            }
            city = existing.get(row["code"])
            if city is None:
                db.session.add(City(code=row["code"], **values))
                counts["created"] += 1
            elif any(getattr(city, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(city, key, value)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            progress(1)
    figures = {(f.indicator, f.year, f.province_code): f
               for f in db.session.scalars(select(ProvinceFigure))}
    with open(DATA_DIR / "wash_access_province.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            figure_key = (row["indicator"], int(row["year"]), row["province_code"])
            value = float(row["value_pct"])
            figure = figures.get(figure_key)
            if figure is None:
                indicator, year, province = figure_key
                db.session.add(ProvinceFigure(indicator=indicator, year=year, province_code=province,
                                              value_pct=value, source=row["source"]))
            elif figure.value_pct != value:
                figure.value_pct = value
    db.session.flush()
    return counts


# The shipped BPS figures per kab/kota (see data/README.md): file, then per CSV column the
# indicator key and the source template ({year} from the row).
REFERENCE_FIGURES = (
    ("bps_kabkota_2024_sanitasi_airminum_kemiskinan.csv",
     {"sanitasi_layak_pct": ("sanitation_access_pct", "BPS, Susenas {year}"),
      "air_minum_layak_pct": ("drinking_water_access_pct", "BPS, Susenas {year}"),
      "penduduk_miskin_pct": ("poverty_pct", "BPS, Susenas {year}")}),
    ("bps_kabkota_2024_ipm.csv", {"ipm": ("hdi", "BPS, IPM {year}")}),
    ("kaggle_kabkota_2021_kemiskinan_ipm_sanitasi.csv",
     {"penduduk_miskin_pct": ("poverty_pct", "BPS, Susenas {year}"),
      # BPS revised the life-expectancy series behind the IPM after 2021: not comparable with 2024.
      "ipm": ("hdi", "BPS, IPM {year} (seri UHH lama)"),
      "sanitasi_layak_pct": ("sanitation_access_pct", "BPS, Susenas {year}"),
      "air_minum_layak_pct": ("drinking_water_access_pct", "BPS, Susenas {year}")}),
)


def read_reference_figures() -> dict[tuple[str, int], dict[str, tuple[float | None, str]]]:
    """The shipped figures by (city code, year): {key: (value or None if unpublished, source)}."""
    figures: dict[tuple[str, int], dict[str, tuple[float | None, str]]] = {}
    for name, columns in REFERENCE_FIGURES:
        with open(DATA_DIR / name, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                year = int(row["year"])
                held = figures.setdefault((row["code"], year), {})
                for column, (key, source) in columns.items():
                    cell = row[column].strip()
                    held[key] = (float(cell) if cell else None, source.format(year=year))
    return figures


def load_city_figures(now: datetime, progress: Progress = _noop) -> dict[str, int]:
    """Load the shipped BPS figures; idempotent, and never over a figure a user or import set.

    Only figures this loader set before (origin "reference") or that nobody set are written;
    an empty cell is kept as "not published" with its source, so pages can say so.
    """
    city_ids = dict(db.session.execute(select(City.code, City.id)).all())
    rows = {(i.city_id, i.year): i for i in db.session.scalars(select(Indicator))}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
    for (code, year), figures in read_reference_figures().items():
        progress(1)
        if code not in city_ids:
            continue
        indicator = rows.get((city_ids[code], year))
        if indicator is None:
            indicator = Indicator(city_id=city_ids[code], year=year, updated_at=now)
            db.session.add(indicator)
            counts["created"] += 1
        data: dict = {"sources": {}}
        for key, (value, source) in figures.items():
            origin = (indicator.origins or {}).get(key)
            if origin not in (None, Origin.REFERENCE) or (
                    origin is None and getattr(indicator, key) is not None):
                counts["kept"] += 1  # set by a user or an import (or before origins were kept)
                continue
            data[key] = value
            data["sources"][key] = source
        if apply_figures(indicator, data, Origin.REFERENCE):
            indicator.updated_at = now
            if indicator.id is not None:
                counts["updated"] += 1
        elif indicator.id is not None:
            counts["unchanged"] += 1
    db.session.flush()
    return counts


def reference_figure_count() -> int:
    return len(read_reference_figures())


def read_import_file(path: Path) -> dict:
    """Read a JSON import file, refusing anything that is not the documented shape."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(_("%(file)s: berkas tidak dapat dibaca (%(error)s)", file=path,
                                error=error)) from error
    except json.JSONDecodeError as error:
        raise ValidationError(_("%(file)s: bukan JSON yang sah (baris %(line)s: %(error)s)", file=path,
                                line=error.lineno, error=error.msg)) from error
    if not isinstance(payload, dict):
        raise ValidationError(_("%(file)s: tingkat teratas harus berupa objek", file=path))
    return payload


def _section(payload: dict, name: str, problems: list) -> list:
    items = payload.get(name, [])
    if not isinstance(items, list):
        problems.append({"section": name, "record": None, "field": name, "message": _("harus berupa daftar")})
        return []
    return items


def validate_import(payload: dict, progress: Progress = _noop) -> tuple[dict, list[dict]]:
    """Clean every record; return the clean records and every problem found (record numbers from 1)."""
    problems: list[dict] = []
    codes = set(db.session.scalars(select(City.code)))
    clean: dict[str, list] = {"cities": [], "practices": [], "needs": []}

    def check_code(section: str, number: int, field: str, value) -> bool:
        if not isinstance(value, str) or value not in codes:
            problems.append({"section": section, "record": number, "field": field,
                             "message": _("kode kota tidak dikenal: %(code)s", code=repr(value)[:40])})
            return False
        return True

    years_seen: dict[tuple, int] = {}
    for number, record in enumerate(_section(payload, "cities", problems), start=1):
        if not isinstance(record, dict):
            problems.append({"section": "cities", "record": number, "field": "record",
                             "message": _("harus berupa objek")})
            continue
        ok = check_code("cities", number, "code", record.get("code"))
        data: dict | None = None
        found: list[tuple[str | None, str]] = []
        if "indicators" in record:
            data, found = clean_indicators(record["indicators"])
        problems.extend({"section": "cities", "record": number, "field": f, "message": m}
                        for f, m in found)
        if ok and not found and data:
            key = (record["code"], data["year"])
            if key in years_seen:
                problems.append({"section": "cities", "record": number, "field": "indicators.year",
                                 "message": _("sama dengan rekaman %(n)d (kode dan tahun sama)",
                                              n=years_seen[key])})
            else:
                years_seen[key] = number
                clean["cities"].append((record["code"], data))
        progress(1)
    for section, cleaner in (("practices", clean_practice), ("needs", clean_need)):
        seen: dict[tuple, int] = {}
        for number, record in enumerate(_section(payload, section, problems), start=1):
            data, found = cleaner(record)
            ok = isinstance(record, dict) and check_code(section, number, "city", record.get("city"))
            problems.extend({"section": section, "record": number, "field": f, "message": m}
                            for f, m in found)
            if ok and not found:
                same = (record["city"], data["topic"], data["title"])
                if same in seen:
                    problems.append({"section": section, "record": number, "field": "title",
                                     "message": _("sama dengan rekaman %(n)d (kota, topik dan judul "
                                                  "sama)", n=seen[same])})
                    continue
                seen[same] = number
                clean[section].append((record["city"], data))
            progress(1)
    return clean, problems


def count_records(payload: dict) -> int:
    return sum(len(payload.get(k, [])) for k in ("cities", "practices", "needs")
               if isinstance(payload.get(k, []), list))


def _set_fields(fields) -> Callable[[object, dict], dict]:
    def apply(row, data: dict) -> dict:
        diff = {f: [getattr(row, f), data[f]] for f in fields
                if f in data and getattr(row, f) != data[f]}
        for name, (_old, new) in diff.items():
            setattr(row, name, new)
        return diff
    return apply


def import_profiles(payload: dict, now: datetime, actor_id: int | None = None,
                    progress: Progress = _noop) -> dict[str, int]:
    """Apply a validated import: all or nothing, and a repeat import changes nothing."""
    clean, problems = validate_import(payload, progress)
    if problems:
        raise ValidationError(ngettext("%(num)d masalah dalam impor; tidak ada yang diubah",
                                       "%(num)d masalah dalam impor; tidak ada yang diubah",
                                       len(problems)), errors=problems)
    city_ids = dict(db.session.execute(select(City.code, City.id)).all())
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    logged: list[tuple[ProfileChange, Any]] = []

    def upsert(rows: dict, key, make, data: dict, apply, entity: str, summary: str) -> None:
        row: Any = rows.get(key)
        created = row is None
        if created:
            row = rows[key] = make()
            db.session.add(row)
        diff = apply(row, data)
        if not diff and not created:
            counts["unchanged"] += 1
            return
        row.updated_at = now
        counts["created" if created else "updated"] += 1
        if created:
            diff = {k: [None, v] for k, v in data.items()}
        change = ProfileChange(city_id=key[0], user_id=actor_id, source="import", at=now,
                               action="create" if created else "update", entity=entity,
                               changes=diff, summary=f"{'+' if created else '~'} {summary}"[:300])
        logged.append((change, row))

    indicators = {(i.city_id, i.year): i for i in db.session.scalars(select(Indicator))}
    for code, data in clean["cities"]:
        key = (city_ids[code], data["year"])
        upsert(indicators, key, lambda k=key: Indicator(city_id=k[0], year=k[1]), data,
               lambda row, d: apply_figures(row, d, Origin.IMPORT), "indicator",
               f"Indikator {data['year']}")
    entries: tuple[tuple[str, Any, tuple], ...] = (("practices", Practice, PRACTICE_FIELDS),
                                                    ("needs", Need, NEED_FIELDS))
    for section, model, fields in entries:
        rows = {(r.city_id, r.topic, r.title): r for r in db.session.scalars(select(model))}
        for code, data in clean[section]:
            entry = (city_ids[code], data["topic"], data["title"])
            upsert(rows, entry, lambda k=entry, m=model: m(city_id=k[0]), data, _set_fields(fields),
                   section[:-1], data["title"])
    db.session.flush()
    for change, row in logged:
        change.entity_id = row.id
    db.session.add_all(change for change, _row in logged)
    db.session.flush()
    return counts


def export_profiles() -> dict:
    """Everything the importer reads, in the same shape, ordered for stable diffs."""
    cities = []
    indicators = db.session.execute(select(City.code, Indicator).join(Indicator)
                                    .order_by(City.code, Indicator.year.desc()))
    for code, indicator in indicators:
        cities.append({"code": code, "indicators": indicator_dict(indicator)})
    sections = {}
    exported: tuple[tuple[str, Any, Any], ...] = (("practices", Practice, practice_dict),
                                                   ("needs", Need, need_dict))
    for section, model, as_dict in exported:
        rows = db.session.execute(select(City.code, model).join(City, City.id == model.city_id)
                                  .order_by(City.code, model.topic, model.title))
        sections[section] = [{"city": code, **{k: v for k, v in as_dict(row).items() if k != "id"}}
                             for code, row in rows]
    return {"cities": cities, **sections}


def region_codes() -> list[tuple[str, str]]:
    rows = db.session.execute(select(City.code, City.name).order_by(City.code))
    return [(code, name) for code, name in rows]


# ---- files: JSON, an XLSX workbook or a CSV set (folder, zip or several .csv) -------------

EXPORT_FORMATS = ("json", "xlsx", "csv")


@dataclass
class PreparedImport:
    """A file read into the import payload, with the way back from a problem to its cell."""

    payload: dict
    locate: Callable[[dict], dict] = lambda problem: problem


def _parse_json(name: str, data: bytes) -> dict:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ValidationError(_("%(file)s: bukan teks UTF-8", file=name)) from error
    except json.JSONDecodeError as error:
        raise ValidationError(_("%(file)s: bukan JSON yang sah (baris %(line)s: %(error)s)", file=name,
                                line=error.lineno, error=error.msg)) from error
    if not isinstance(payload, dict):
        raise ValidationError(_("%(file)s: tingkat teratas harus berupa objek", file=name))
    return payload


def prepare_files(files: list[tuple[str, bytes]]) -> PreparedImport:
    """Read uploaded or named files into one payload; refuse files whose layout is wrong."""
    kinds = {PurePosixPath(name).suffix.lower() for name, _data in files}
    if not files:
        raise ValidationError(_("Pilih berkas untuk diimpor."), field="files")
    if ".json" in kinds:
        if len(files) > 1:
            raise ValidationError(_("Impor satu berkas JSON saja, tanpa berkas lain."), field="files")
        return PreparedImport(_parse_json(*files[0]))
    tables, problems = [], []
    readers = {".xlsx": lambda name, data: tabular.read_xlsx(data), ".zip": lambda name, data:
               tabular.read_zip(data), ".csv": tabular.read_csv}
    for name, data in files:
        reader = readers.get(PurePosixPath(name).suffix.lower())
        if reader is None:
            raise ValidationError(_("%(name)s: jenis berkas tidak dikenal (pakai .json, .xlsx, .csv "
                                    "atau .zip berisi CSV).", name=name), field="files")
        try:
            found, trouble = reader(name, data)
        except tabular.UnreadableFile as error:
            raise ValidationError(f"{name}: {error}", field="files") from error
        tables += found
        problems += trouble
    payload, layout, locate = tabular.tables_to_payload(tables)
    problems += layout
    if problems:
        raise ValidationError(_("%(count)s masalah dalam berkas; tidak ada yang diubah.",
                                count=len(problems)), errors=problems)
    return PreparedImport(payload, locate)


def read_path(path: Path) -> list[tuple[str, bytes]]:
    """The files the CLI imports from a path: the file itself, or a folder's CSV set."""
    try:
        if path.is_dir():
            return [(p.name, p.read_bytes()) for p in sorted(path.iterdir())
                    if p.suffix.lower() == ".csv"]
        return [(path.name, path.read_bytes())]
    except OSError as error:
        raise ValidationError(_("%(file)s: berkas tidak dapat dibaca (%(error)s)", file=path,
                                error=error)) from error


def import_prepared(prepared: PreparedImport, now: datetime, actor_id: int | None = None,
                    progress: Progress = _noop) -> dict[str, int]:
    """Import a prepared file; problems name their sheet, row and column where there is one."""
    try:
        return import_profiles(prepared.payload, now, actor_id, progress)
    except ValidationError as error:
        error.errors = [prepared.locate(p) for p in error.errors]
        raise


def render_export(payload: dict, fmt: str) -> bytes:
    """Profiles in one of the three forms: json, xlsx or csv (a zip of the CSV set)."""
    if fmt == "json":
        return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "xlsx":
        return tabular.write_xlsx(payload, region_codes())
    if fmt == "csv":
        return tabular.write_csv_zip(payload)
    raise ValidationError(_("Format ekspor harus json, xlsx atau csv."), field="format")


def export_to_path(path: Path) -> dict:
    """Write all profiles to path, in the form its name says: .json, .xlsx, .zip or a folder."""
    suffix = path.suffix.lower()
    payload = export_profiles()
    if suffix in (".json", ".xlsx", ".zip"):
        path.write_bytes(render_export(payload, {".zip": "csv"}.get(suffix, suffix[1:])))
    elif suffix == "" or path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        for sheet, rows in tabular.payload_rows(payload).items():
            (path / f"{sheet}.csv").write_bytes(tabular.write_csv(tabular.SHEETS[sheet], rows))
    else:
        raise ValidationError(f"{path}: write .json, .xlsx, .zip (CSV set) or a folder (CSV set)",
                              field="path")
    return payload


def can_import(actor) -> bool:
    """Imports change many cities at once: facilitators and admins only."""
    return is_facilitator(actor)


def ensure_can_import(actor) -> None:
    ensure_facilitator(actor)


def import_upload(actor, files: list[tuple[str, bytes]], now: datetime) -> dict[str, int]:
    """Import uploaded files (JSON, XLSX, CSV set) as this user: all or nothing."""
    ensure_can_import(actor)
    return import_prepared(prepare_files(files), now, actor_id=actor.id)


def template_xlsx() -> bytes:
    """The empty workbook to fill in, with its drop-down lists."""
    return tabular.write_xlsx({}, region_codes())
