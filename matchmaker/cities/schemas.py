"""Declared input of the city registry: the import-format records and the city list's query string.

The import format is INTERFACES.md's; the API takes one record at a time (without `city`).
"""

from typing import Any

from marshmallow import RAISE

from matchmaker.validation import (
    Choice,
    KemendagriCode,
    List,
    Nested,
    Number,
    QuerySchema,
    Schema,
    Text,
    Whole,
    check,
)
from matchmaker.vocab import FISCAL_CAPACITY, KINDS, MATURITY, PRIORITY, TOPICS

MIN_YEAR, MAX_YEAR = 1945, 2100
MAX_SOURCE_LEN = 200
# The indicator keys of a profile year, in display order; each may carry a source.
INDICATOR_KEYS = ("sanitation_access_pct", "drinking_water_access_pct", "poverty_pct", "hdi",
                  "slum_area_ha", "fiscal_capacity", "kotaku_scores")
KOTAKU_KEYS = ("building", "road", "drinking_water", "drainage", "wastewater", "solid_waste",
               "fire_protection", "public_open_space")

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
IMPORT_MAX_RECORDS = 100_000
NUMERIC_INDICATORS = ("sanitation_access_pct", "drinking_water_access_pct", "slum_area_ha",
                      "poverty_pct", "hdi")
SORT_KEYS = ("name", "code", *NUMERIC_INDICATORS, "fiscal_capacity")


class PracticeRecord(Schema):
    topic = Choice(TOPICS, required=True)
    title = Text(max_length=TITLE_MAX, allow_blank=False, required=True)
    description = Text(max_length=DESCRIPTION_MAX, multiline=True, allow_none=True)
    maturity = Choice(MATURITY, required=True)
    started_year = Whole(minimum=MIN_YEAR, maximum=MAX_YEAR, allow_none=True)
    outcomes = Text(max_length=DESCRIPTION_MAX, multiline=True, allow_none=True)


class NeedRecord(Schema):
    topic = Choice(TOPICS, required=True)
    title = Text(max_length=TITLE_MAX, allow_blank=False, required=True)
    description = Text(max_length=DESCRIPTION_MAX, multiline=True, allow_none=True)
    priority = Choice(PRIORITY, allow_none=True, metadata={"default": "medium"})


# KOTAKU slum scores per indicator group, 0..100.
KotakuScores = Schema.from_dict(
    {key: Number(minimum=0, maximum=100, allow_none=True) for key in KOTAKU_KEYS}, name="KotakuScores")
# Where each figure of the year comes from: {"poverty_pct": "BPS, Susenas 2024"}.
IndicatorSources = Schema.from_dict(
    {key: Text(max_length=MAX_SOURCE_LEN, allow_none=True) for key in INDICATOR_KEYS},
    name="IndicatorSources")


class IndicatorsRecord(Schema):
    year = Whole(minimum=MIN_YEAR, maximum=MAX_YEAR, required=True)
    sanitation_access_pct = Number(minimum=0, maximum=100, allow_none=True)
    drinking_water_access_pct = Number(minimum=0, maximum=100, allow_none=True)
    slum_area_ha = Number(minimum=0, maximum=1e7, allow_none=True)
    fiscal_capacity = Choice(FISCAL_CAPACITY, allow_none=True)
    poverty_pct = Number(minimum=0, maximum=100, allow_none=True)
    hdi = Number(minimum=0, maximum=100, allow_none=True)
    # An unknown group or indicator key is a mistake worth naming, not a key to ignore.
    kotaku_scores = Nested(KotakuScores, unknown=RAISE, allow_none=True)
    sources = Nested(IndicatorSources, unknown=RAISE, allow_none=True)


class ImportCity(Schema):
    code = KemendagriCode(required=True)
    indicators = Nested(IndicatorsRecord, required=True)


class ImportPractice(PracticeRecord):
    city = KemendagriCode(required=True)


class ImportNeed(NeedRecord):
    city = KemendagriCode(required=True)


class ImportFile(Schema):
    """A whole import file: every list optional, each record as above."""

    cities = List(Nested(ImportCity), max_items=IMPORT_MAX_RECORDS)
    practices = List(Nested(ImportPractice), max_items=IMPORT_MAX_RECORDS)
    needs = List(Nested(ImportNeed), max_items=IMPORT_MAX_RECORDS)


class _CityQuery(QuerySchema):
    q = Text(max_length=100)
    province = Text(max_length=2, pattern=r"^\d{2}$", example="74")
    kind = Choice(KINDS)
    practice_topic = Choice(TOPICS)
    need_topic = Choice(TOPICS)
    no_programme_topic = Choice(TOPICS, metadata={
        "description": "only cities in no open (proposed, agreed, active) programme on this topic"})
    sort = Choice(SORT_KEYS)
    order = Choice(("asc", "desc"))
    year = Whole(minimum=MIN_YEAR, maximum=MAX_YEAR, from_text=True)


# `GET /cities`: name search, filters, the sort (an indicator key, `name` or `code`), and a range
# `KEY_min` / `KEY_max` (inclusive, either end open) on each numeric indicator in `year`.
CityQuery = _CityQuery.from_dict({
    f"{key}_{end}": Number(minimum=-1e9, maximum=1e9, from_text=True)
    for key in NUMERIC_INDICATORS for end in ("min", "max")}, name="CityQuery")


# ---------------------------------------------------------------- one record at a time

Problems = list[tuple[str | None, str]]
_PRACTICE, _NEED, _INDICATORS = PracticeRecord(), NeedRecord(), IndicatorsRecord()


def clean_practice(record: Any) -> tuple[dict, Problems]:
    """A practice of the import format as the service stores it, or every problem with it."""
    data, problems = check(_PRACTICE, record)
    if problems:
        return {}, problems
    return {"description": "", "outcomes": "", "started_year": None, **{
        k: v for k, v in data.items() if v is not None or k == "started_year"}}, []


def clean_need(record: Any) -> tuple[dict, Problems]:
    data, problems = check(_NEED, record)
    if problems:
        return {}, problems
    return {"description": "", **{k: v for k, v in data.items() if v is not None},
            "priority": data.get("priority") or "medium"}, []


def clean_indicators(record: Any) -> tuple[dict, Problems]:
    """One year of indicators; only the keys given are set, and field names start `indicators.`."""
    data, problems = check(_INDICATORS, record)
    if problems:
        return {}, [(f"indicators.{f}" if f else "indicators", m) for f, m in problems]
    for key in ("kotaku_scores", "sources"):
        if key in data:
            data[key] = {k: v for k, v in (data[key] or {}).items() if v is not None}
    return data, []
