"""The indicators of a city profile, and each figure with its year, source and origin.

A figure is one value of one indicator for one city and year. The profile, the city list, the
map and the candidate ranking all read figures through this module, so "latest", "same year"
and "not published" mean the same everywhere.
"""

import enum
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from matchmaker.cities.models import City, Indicator, ProvinceFigure
from matchmaker.cities.schemas import INDICATOR_KEYS
from matchmaker.extensions import db
from matchmaker.vocab import FISCAL_CAPACITY


class Origin(enum.StrEnum):
    """Who set a figure: the shipped reference data, an import file, or a user (form or API)."""

    REFERENCE = "reference"
    IMPORT = "import"
    USER = "user"


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    label: Any
    unit: str
    low: float
    high: float
    higher_is_better: bool
    # Name of the matching BPS province series in ProvinceFigure, if there is one.
    province_series: str | None = None


NUMERIC_INDICATORS = {spec.key: spec for spec in (
    IndicatorSpec("sanitation_access_pct", _l("Akses sanitasi layak"), "%", 0, 100, True,
                  "sanitasi_layak"),
    IndicatorSpec("drinking_water_access_pct", _l("Akses air minum layak"), "%", 0, 100, True,
                  "air_minum_layak"),
    IndicatorSpec("poverty_pct", _l("Penduduk miskin"), "%", 0, 100, False),
    IndicatorSpec("hdi", _l("Indeks Pembangunan Manusia (IPM)"), "", 0, 100, True),
    IndicatorSpec("slum_area_ha", _l("Luas kumuh"), "ha", 0, 1e7, False),
)}
INDICATOR_LABELS = {**{k: s.label for k, s in NUMERIC_INDICATORS.items()},
                    "fiscal_capacity": _l("Kapasitas fiskal"), "kotaku_scores": _l("Skor KOTAKU")}
# The list sorts by every indicator but the KOTAKU scores (a map of eight scores).
SORTABLE_INDICATORS = (*NUMERIC_INDICATORS, "fiscal_capacity")
FISCAL_RANK = {key: rank for rank, key in enumerate(FISCAL_CAPACITY)}

# BPS reported 34 provinces until 2023: Papua (91) and Papua Barat (92) before their 2022 split.
SPLIT_YEAR = 2024
PRE_SPLIT_PROVINCE = {"93": "91", "94": "91", "95": "91", "96": "92"}
PRE_SPLIT_NAME = {"91": "Papua", "92": "Papua Barat"}


@dataclass(frozen=True)
class Figure:
    """One indicator value of one city for one year; value None means 'not published'."""

    key: str
    year: int
    value: Any
    source: str
    origin: str | None

    @property
    def is_missing(self) -> bool:
        return self.value is None


def figure_of(indicator: Indicator, key: str) -> Figure | None:
    """The figure this indicator row holds for key, or None if the row says nothing about it."""
    value = getattr(indicator, key)
    source = (indicator.sources or {}).get(key, "")
    if value is None and not source:
        return None
    return Figure(key, indicator.year, value, source, (indicator.origins or {}).get(key))


def city_figure(city: City, key: str, year: int | None = None) -> Figure | None:
    """The city's figure for that year; without a year its newest figure with a value.

    A city whose only word on the indicator is 'not published' gets that figure back, so pages
    can say so instead of showing a blank or a zero.
    """
    rows = city.indicators  # newest year first
    if year is not None:
        return next((figure_of(i, key) for i in rows if i.year == year), None)
    figures = [f for f in (figure_of(i, key) for i in rows) if f is not None]
    return next((f for f in figures if not f.is_missing), figures[0] if figures else None)


def figure_table(city: City) -> tuple[list[int], dict[str, dict[int, Figure]]]:
    """Years with any figure (oldest first) and, per indicator key, its figure in each year."""
    table: dict[str, dict[int, Figure]] = {}
    for indicator in city.indicators:
        for key in INDICATOR_KEYS:
            found = figure_of(indicator, key)
            if found is not None:
                table.setdefault(key, {})[indicator.year] = found
    years = sorted({year for row in table.values() for year in row})
    return years, {key: table[key] for key in INDICATOR_KEYS if key in table}


def trend(row: dict[int, Figure]) -> tuple[int, int, float] | None:
    """(from year, to year, change) between the two newest years with a numeric value."""
    known = sorted((y, f.value) for y, f in row.items() if isinstance(f.value, int | float))
    if len(known) < 2:
        return None
    (first, a), (last, b) = known[-2], known[-1]
    return first, last, round(b - a, 2)


def figure_values(key: str, year: int | None = None) -> dict[str, Figure]:
    """Every city's figure for key by city code: that year's, or each city's newest with a value."""
    stmt = (select(City.code, Indicator).join(Indicator, Indicator.city_id == City.id)
            .order_by(City.code, Indicator.year.desc()))
    if year is not None:
        stmt = stmt.where(Indicator.year == year)
    result: dict[str, Figure] = {}
    for code, indicator in db.session.execute(stmt):
        found = figure_of(indicator, key)
        if found is None:
            continue
        held = result.get(code)
        if held is None or (held.is_missing and not found.is_missing):
            result[code] = found
    return result


def latest_year(key: str) -> int | None:
    """The newest year in which any city has a value for key."""
    column = getattr(Indicator, key)
    return db.session.scalar(select(Indicator.year).where(column.is_not(None))
                             .order_by(Indicator.year.desc()).limit(1))


def comparisons(city: City, key: str, year: int) -> dict[str, Any]:
    """BPS province and national figures for key in exactly that year (None where unpublished)."""
    spec = NUMERIC_INDICATORS.get(key)
    result: dict[str, Any] = {"year": year, "province": None, "national": None,
                              "province_name": city.province_name, "source": ""}
    if spec is None or spec.province_series is None:
        return result
    province = city.province_code
    if year < SPLIT_YEAR and province in PRE_SPLIT_PROVINCE:
        province = PRE_SPLIT_PROVINCE[province]
    if year < SPLIT_YEAR and province in PRE_SPLIT_NAME:
        result["province_name"] = _l("%(name)s (sebelum pemekaran)", name=PRE_SPLIT_NAME[province])
    for row in db.session.scalars(select(ProvinceFigure).where(
            ProvinceFigure.indicator == spec.province_series, ProvinceFigure.year == year,
            ProvinceFigure.province_code.in_([province, "00"]))):
        result["national" if row.province_code == "00" else "province"] = row.value_pct
    if result["province"] is not None or result["national"] is not None:
        result["source"] = f"BPS, Susenas {year}"
    return result


def is_bps(figure: Figure | None) -> bool:
    return bool(figure and figure.source.startswith("BPS"))


def access_comparisons(city: City) -> list[dict[str, Any]]:
    """For each BPS access indicator: the city's newest figure, and its province and the nation
    in that same year."""
    result = []
    for key, spec in NUMERIC_INDICATORS.items():
        if spec.province_series is None:
            continue
        found = city_figure(city, key)
        if found is None or found.is_missing:
            continue
        result.append({"key": key, "label": spec.label, "figure": found,
                       **comparisons(city, key, found.year)})
    return result


def indicator_years() -> list[int]:
    """Every year some city has figures for, newest first."""
    return list(db.session.scalars(select(Indicator.year).distinct().order_by(Indicator.year.desc())))
