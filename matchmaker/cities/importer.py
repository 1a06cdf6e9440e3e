"""Reference regions, and import / export of profiles in the JSON format of INTERFACES.md.

An import is validated whole before anything is written: one bad record refuses the file.
"""

import csv
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from matchmaker.cities.models import City, Indicator, Need, Practice, ProfileChange, ProvinceFigure
from matchmaker.cities.schema import clean_indicators, clean_need, clean_practice
from matchmaker.cities.services import (
    INDICATOR_FIELDS,
    NEED_FIELDS,
    PRACTICE_FIELDS,
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
            key = (row["indicator"], int(row["year"]), row["province_code"])
            value = float(row["value_pct"])
            figure = figures.get(key)
            if figure is None:
                db.session.add(ProvinceFigure(indicator=key[0], year=key[1], province_code=key[2],
                                              value_pct=value, source=row["source"]))
            elif figure.value_pct != value:
                figure.value_pct = value
    db.session.flush()
    return counts


def read_import_file(path: Path) -> dict:
    """Read a JSON import file, refusing anything that is not the documented shape."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path}: cannot read file ({error})") from error
    except json.JSONDecodeError as error:
        raise ValidationError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from error
    if not isinstance(payload, dict):
        raise ValidationError(f"{path}: the top level must be an object")
    return payload


def _section(payload: dict, name: str, problems: list) -> list:
    items = payload.get(name, [])
    if not isinstance(items, list):
        problems.append({"section": name, "record": None, "field": name, "message": "must be a list"})
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
                             "message": f"unknown city code {value!r}"})
            return False
        return True

    for number, record in enumerate(_section(payload, "cities", problems), start=1):
        if not isinstance(record, dict):
            problems.append({"section": "cities", "record": number, "field": "record",
                             "message": "must be an object"})
            continue
        ok = check_code("cities", number, "code", record.get("code"))
        data, found = (None, [])
        if "indicators" in record:
            data, found = clean_indicators(record["indicators"])
        problems.extend({"section": "cities", "record": number, "field": f, "message": m}
                        for f, m in found)
        if ok and not found and data:
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
                key = (record["city"], data["topic"], data["title"])
                if key in seen:
                    problems.append({"section": section, "record": number, "field": "title",
                                     "message": f"duplicates record {seen[key]} (same city, topic "
                                                "and title)"})
                    continue
                seen[key] = number
                clean[section].append((record["city"], data))
            progress(1)
    return clean, problems


def count_records(payload: dict) -> int:
    return sum(len(payload.get(k, [])) for k in ("cities", "practices", "needs")
               if isinstance(payload.get(k, []), list))


def import_profiles(payload: dict, now: datetime, actor_id: int | None = None,
                    progress: Progress = _noop) -> dict[str, int]:
    """Apply a validated import: all or nothing, and a repeat import changes nothing."""
    clean, problems = validate_import(payload, progress)
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in the import; nothing was changed",
                              errors=problems)
    city_ids = dict(db.session.execute(select(City.code, City.id)).all())
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    logged: list[tuple[ProfileChange, object]] = []

    def upsert(rows: dict, key, make, data: dict, fields, entity: str, summary: str) -> None:
        row = rows.get(key)
        if row is None:
            row = make()
            for name, value in data.items():
                setattr(row, name, value)
            row.updated_at = now
            rows[key] = row
            db.session.add(row)
            counts["created"] += 1
            action, diff = "create", {k: [None, v] for k, v in data.items()}
        else:
            diff = {f: [getattr(row, f), data[f]] for f in fields
                    if f in data and getattr(row, f) != data[f]}
            if not diff:
                counts["unchanged"] += 1
                return
            for name, (_old, new) in diff.items():
                setattr(row, name, new)
            row.updated_at = now
            counts["updated"] += 1
            action = "update"
        change = ProfileChange(city_id=key[0], user_id=actor_id, source="import", at=now,
                               action=action, entity=entity, changes=diff,
                               summary=f"{'+' if action == 'create' else '~'} {summary}"[:300])
        logged.append((change, row))

    indicators = {(i.city_id, i.year): i for i in db.session.scalars(select(Indicator))}
    for code, data in clean["cities"]:
        key = (city_ids[code], data["year"])
        upsert(indicators, key, lambda k=key: Indicator(city_id=k[0], year=k[1]), data,
               INDICATOR_FIELDS, "indicator", f"Indikator {data['year']}")
    for section, model, fields in (("practices", Practice, PRACTICE_FIELDS),
                                   ("needs", Need, NEED_FIELDS)):
        rows = {(r.city_id, r.topic, r.title): r for r in db.session.scalars(select(model))}
        for code, data in clean[section]:
            key = (city_ids[code], data["topic"], data["title"])
            upsert(rows, key, lambda k=key, m=model: m(city_id=k[0]), data, fields,
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
    for city in db.session.scalars(select(City).order_by(City.code)):
        for indicator in city.indicators:
            cities.append({"code": city.code, "indicators": indicator_dict(indicator)})
    practices = [{"city": p.city.code, **{k: v for k, v in practice_dict(p).items() if k != "id"}}
                 for p in db.session.scalars(select(Practice).join(City)
                                             .order_by(City.code, Practice.topic, Practice.title))]
    needs = [{"city": n.city.code, **{k: v for k, v in need_dict(n).items() if k != "id"}}
             for n in db.session.scalars(select(Need).join(City)
                                         .order_by(City.code, Need.topic, Need.title))]
    return {"cities": cities, "practices": practices, "needs": needs}
