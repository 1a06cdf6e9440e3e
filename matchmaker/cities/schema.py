"""Validate profile records (the import format) into clean dicts, naming every bad field.

One set of rules serves the importer, the API and the web forms.
"""

from typing import Any

from matchmaker.vocab import FISCAL_CAPACITY, MATURITY, PRIORITY, TOPICS

MIN_YEAR, MAX_YEAR = 1945, 2100
MAX_SOURCE_LEN = 200
# The indicator keys of a profile year, in display order; each may carry a source.
INDICATOR_KEYS = ("sanitation_access_pct", "drinking_water_access_pct", "poverty_pct", "hdi",
               "slum_area_ha", "fiscal_capacity", "kotaku_scores")
KOTAKU_KEYS = ("building", "road", "drinking_water", "drainage", "wastewater", "solid_waste",
               "fire_protection", "public_open_space")

Problems = list[tuple[str, str]]


def _text(record: dict, key: str, problems: Problems, required: bool, max_len: int) -> str | None:
    value = record.get(key)
    if value is None:
        if required:
            problems.append((key, "is required"))
        return None if not required else ""
    if not isinstance(value, str):
        problems.append((key, "must be a string"))
        return None
    value = value.strip()
    if required and not value:
        problems.append((key, "must not be empty"))
    if len(value) > max_len:
        problems.append((key, f"is longer than {max_len} characters"))
    return value


def _choice(record: dict, key: str, choices, problems: Problems, required: bool) -> str | None:
    value = record.get(key)
    if value is None:
        if required:
            problems.append((key, "is required"))
        return None
    if value not in choices:
        problems.append((key, f"must be one of {', '.join(choices)} (got {value!r})"))
        return None
    return value


def _number(record: dict, key: str, problems: Problems, low: float, high: float,
            integer: bool = False) -> Any:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
        problems.append((key, "must be a whole number" if integer else "must be a number"))
        return None
    if not low <= value <= high:
        problems.append((key, f"must be between {low:g} and {high:g} (got {value})"))
        return None
    return value if integer else float(value)


def clean_practice(record: Any) -> tuple[dict, Problems]:
    if not isinstance(record, dict):
        return {}, [("record", "must be an object")]
    problems: Problems = []
    data = {
        "topic": _choice(record, "topic", TOPICS, problems, required=True),
        "title": _text(record, "title", problems, required=True, max_len=200),
        "description": _text(record, "description", problems, required=False, max_len=20000) or "",
        "maturity": _choice(record, "maturity", MATURITY, problems, required=True),
        "started_year": _number(record, "started_year", problems, MIN_YEAR, MAX_YEAR, True),
        "outcomes": _text(record, "outcomes", problems, required=False, max_len=20000) or "",
    }
    return data, problems


def clean_need(record: Any) -> tuple[dict, Problems]:
    if not isinstance(record, dict):
        return {}, [("record", "must be an object")]
    problems: Problems = []
    data = {
        "topic": _choice(record, "topic", TOPICS, problems, required=True),
        "title": _text(record, "title", problems, required=True, max_len=200),
        "description": _text(record, "description", problems, required=False, max_len=20000) or "",
        "priority": _choice(record, "priority", PRIORITY, problems, required=False) or "medium",
    }
    return data, problems


def _sources(value: Any, problems: Problems) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(("sources", "must be an object"))
        return {}
    clean = {}
    for key, text in value.items():
        if key not in INDICATOR_KEYS:
            problems.append((f"sources.{key}", f"must be one of {', '.join(INDICATOR_KEYS)}"))
        elif not isinstance(text, str):
            problems.append((f"sources.{key}", "must be a string"))
        elif len(text.strip()) > MAX_SOURCE_LEN:
            problems.append((f"sources.{key}", f"is longer than {MAX_SOURCE_LEN} characters"))
        else:
            clean[key] = text.strip()
    return clean


def clean_indicators(record: Any) -> tuple[dict, Problems]:
    if not isinstance(record, dict):
        return {}, [("indicators", "must be an object")]
    problems: Problems = []
    data: dict[str, Any] = {}
    year = _number(record, "year", problems, MIN_YEAR, MAX_YEAR, True)
    if year is None and not any(p[0] == "year" for p in problems):
        problems.append(("year", "is required"))
    data["year"] = year
    for key in ("sanitation_access_pct", "drinking_water_access_pct", "poverty_pct", "hdi"):
        if key in record:
            data[key] = _number(record, key, problems, 0, 100)
    if "slum_area_ha" in record:
        data["slum_area_ha"] = _number(record, "slum_area_ha", problems, 0, 1e7)
    if "fiscal_capacity" in record:
        data["fiscal_capacity"] = _choice(record, "fiscal_capacity", FISCAL_CAPACITY, problems,
                                          required=False)
    if "kotaku_scores" in record:
        scores = record["kotaku_scores"]
        if not isinstance(scores, dict):
            problems.append(("kotaku_scores", "must be an object"))
        else:
            clean = {}
            for key, value in scores.items():
                if key not in KOTAKU_KEYS:
                    problems.append((f"kotaku_scores.{key}", f"must be one of {', '.join(KOTAKU_KEYS)}"))
                elif isinstance(value, bool) or not isinstance(value, int | float):
                    problems.append((f"kotaku_scores.{key}", "must be a number"))
                elif not 0 <= value <= 100:
                    problems.append((f"kotaku_scores.{key}", f"must be between 0 and 100 (got {value})"))
                else:
                    clean[key] = float(value)
            data["kotaku_scores"] = clean
    if "sources" in record:
        data["sources"] = _sources(record["sources"], problems)
    return data, [(f"indicators.{f}" if not f.startswith("indicators") else f, m)
                  for f, m in problems]
