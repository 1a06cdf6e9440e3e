"""Declared input of the city registry: the import-format records and the city list's query string.

The import format is INTERFACES.md's; the API takes one record at a time (without `city`).
"""

from marshmallow import RAISE

from matchmaker.cities.schema import KOTAKU_KEYS, MAX_YEAR, MIN_YEAR
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
)
from matchmaker.vocab import FISCAL_CAPACITY, KINDS, MATURITY, PRIORITY, TOPICS

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
SOURCE_MAX = 200
IMPORT_MAX_RECORDS = 100_000
NUMERIC_INDICATORS = ("sanitation_access_pct", "drinking_water_access_pct", "slum_area_ha",
                      "poverty_pct", "hdi")
INDICATOR_KEYS = (*NUMERIC_INDICATORS, "fiscal_capacity", "kotaku_scores")
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
    {key: Text(max_length=SOURCE_MAX, allow_none=True) for key in INDICATOR_KEYS}, name="IndicatorSources")


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


class CityQuery(QuerySchema):
    """`GET /cities`: name search, filters, and the sort (an indicator key, `name` or `code`)."""

    q = Text(max_length=100)
    province = Text(max_length=2, pattern=r"^\d{2}$", example="74")
    kind = Choice(KINDS)
    practice_topic = Choice(TOPICS)
    need_topic = Choice(TOPICS)
    sort = Choice(SORT_KEYS)
    order = Choice(("asc", "desc"))
    year = Whole(minimum=MIN_YEAR, maximum=MAX_YEAR, from_text=True)
