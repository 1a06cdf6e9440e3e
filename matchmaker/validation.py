"""One validation layer: marshmallow schemas with messages through Flask-Babel, and the field
types every request body, query string, import record and (later) form uses.

Fields are strict about JSON types (a string is not a number, a boolean is not a whole number),
refuse text that the database or an e-mail header cannot take safely, and keep numbers, ids and
dates inside ranges both databases store. `load` turns marshmallow's nested messages into one
`matchmaker.errors.ValidationError` with dotted paths (`lessons.0.outcome`).
"""

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from matchmaker.errors import ValidationError
from matchmaker.timeutils import KNOWN_ZONES

MAX_ID = 2**31 - 1  # PostgreSQL `integer`
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)
KEMENDAGRI_CODE = r"^\d{2}\.\d{2}$"
LOCAL_DATE_TIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$"
ZONES = KNOWN_ZONES

# C0 and C1 control characters, Unicode line/paragraph separators (they end a line in e-mail
# headers and `str.splitlines`) and lone surrogates (no database or encoder can store them).
_SINGLE_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_MULTI_LINE_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

MESSAGES = {
    "required": _l("wajib diisi"),
    "null": _l("tidak boleh null"),
    "validator_failed": _l("nilai tidak sah"),
    "object": _l("harus berupa objek JSON"),
    "unknown": _l("tidak dikenal"),
    "list": _l("harus berupa daftar"),
    "too_many": _l("paling banyak %(n)s butir"),
    "text": _l("harus berupa teks"),
    "blank": _l("tidak boleh kosong"),
    "too_long": _l("paling panjang %(n)s karakter"),
    "control": _l("tidak boleh berisi karakter kendali (baris baru, tab, NUL dan sejenisnya)"),
    "control_multi": _l("tidak boleh berisi karakter kendali selain baris baru dan tab"),
    "surrogate": _l("berisi karakter Unicode yang tidak sah"),
    "choice": _l("harus salah satu dari: %(allowed)s (bukan %(got)s)"),
    "whole": _l("harus bilangan bulat"),
    "number": _l("harus angka"),
    "range": _l("harus antara %(min)s dan %(max)s"),
    "boolean": _l("harus true atau false"),
    "date": _l("harus tanggal berformat TTTT-BB-HH"),
    "date_range": _l("harus antara %(min)s dan %(max)s"),
    "date_time": _l("harus waktu berformat YYYY-MM-DDTHH:MM"),
    "code": _l("harus kode Kemendagri berformat NN.NN"),
    "pattern": _l("tidak sesuai format %(example)s"),
    "url": _l("harus tautan yang diawali https:// atau http://"),
}


def message(key: str, **values: Any) -> str:
    """The named message in the current language, with its values filled in."""
    text = str(MESSAGES[key])
    return text % values if values else text


class _Translated:
    """Build marshmallow's errors from MESSAGES at the moment of the error, in the user's language."""

    default_error_messages = {"required": MESSAGES["required"], "null": MESSAGES["null"],
                              "validator_failed": MESSAGES["validator_failed"]}

    def make_error(self, key: str, **values: Any) -> ma.ValidationError:
        text = str(self.error_messages[key])  # type: ignore[attr-defined]
        return ma.ValidationError(text % values if values else text)

    def fail(self, key: str, **values: Any) -> ma.ValidationError:
        return ma.ValidationError(message(key, **values))


class Schema(ma.Schema):
    """Base of every schema: unknown keys are ignored, messages are translated."""

    class Meta:
        unknown = ma.EXCLUDE

    error_messages = {"type": MESSAGES["object"], "unknown": MESSAGES["unknown"]}


class QuerySchema(Schema):
    """A query string: an empty parameter (`?topic=`) means the parameter was not given."""

    @ma.pre_load
    def _drop_blank(self, data: Mapping, **kwargs) -> dict:
        return {key: data[key] for key in data if data[key] != ""}


# ---------------------------------------------------------------- text

class Text(_Translated, ma.fields.String):
    """Text: stripped, capped, without control characters (single-line: no CR/LF either)."""

    def __init__(self, *, max_length: int = 200, multiline: bool = False, allow_blank: bool = True,
                 pattern: str | None = None, example: str = "", **kwargs: Any) -> None:
        self.max_length = max_length
        self.multiline = multiline
        self.allow_blank = allow_blank
        self.pattern, self.example = pattern, example
        metadata = {"maxLength": max_length, **kwargs.pop("metadata", {})}
        if not allow_blank:
            metadata.setdefault("minLength", 1)
        if pattern:
            metadata.update(pattern=pattern, example=example)
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        if not isinstance(value, str):
            raise self.fail("text")
        if _SURROGATE.search(value):
            raise self.fail("surrogate")
        if self.multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            if _MULTI_LINE_BAD.search(value):
                raise self.fail("control_multi")
        elif _SINGLE_LINE_BAD.search(value):
            raise self.fail("control")
        value = value.strip()
        if not value and not self.allow_blank:
            raise self.fail("blank")
        if len(value) > self.max_length:
            raise self.fail("too_long", n=self.max_length)
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise self.fail("pattern", example=self.example)
        return value


class Choice(Text):
    """One value of a fixed vocabulary (a `vocab.py` table, an enum's values)."""

    def __init__(self, choices: Iterable[str], **kwargs: Any) -> None:
        self.choices = tuple(str(c) for c in choices)
        metadata = {"enum": list(self.choices), **kwargs.pop("metadata", {})}
        super().__init__(max_length=max(map(len, self.choices)), metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        if not isinstance(value, str) or value.strip() not in self.choices:
            raise self.fail("choice", allowed=", ".join(self.choices), got=repr(value)[:40])
        return value.strip()


class Zone(Choice):
    """An Indonesian time zone (IANA name)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(ZONES, **kwargs)


class KemendagriCode(Text):
    """A kabupaten/kota code as Kemendagri writes it: `74.71`."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": KEMENDAGRI_CODE, "example": "74.71", **kwargs.pop("metadata", {})}
        super().__init__(max_length=20, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        value = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(KEMENDAGRI_CODE, value):
            raise self.fail("code")
        return value


class Url(Text):
    """An http(s) link, or empty for none; anything else (javascript:, data:) is refused."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"format": "uri", **kwargs.pop("metadata", {})}
        super().__init__(max_length=500, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        value = super()._deserialize(value, attr, data, **kwargs)
        if not value:
            return value
        try:
            parts = urlsplit(value)
        except ValueError:
            raise self.fail("url") from None
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
            raise self.fail("url")
        return value


# ---------------------------------------------------------------- numbers

class Whole(_Translated, ma.fields.Integer):
    """A whole number in a range; in JSON a number (never a string, a boolean or 6.0)."""

    def __init__(self, *, minimum: int = -MAX_ID, maximum: int = MAX_ID, from_text: bool = False,
                 **kwargs: Any) -> None:
        self.minimum, self.maximum, self.from_text = minimum, maximum, from_text
        metadata = {"minimum": minimum, "maximum": maximum, **kwargs.pop("metadata", {})}
        super().__init__(strict=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> int:
        if self.from_text and isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail("whole")
        if not self.minimum <= value <= self.maximum:
            raise self.fail("range", min=self.minimum, max=self.maximum)
        return value


class Id(Whole):
    """A record id: 1 .. 2**31-1, what a PostgreSQL `integer` key holds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(minimum=1, maximum=MAX_ID, **kwargs)


class Number(_Translated, ma.fields.Float):
    """A finite number in a range (a JSON integer or decimal; never a string or a boolean).

    With `from_text` (query strings) a decimal written as text is read too, with '.' or ','.
    """

    def __init__(self, *, minimum: float, maximum: float, from_text: bool = False,
                 **kwargs: Any) -> None:
        self.minimum, self.maximum, self.from_text = minimum, maximum, from_text
        metadata = {"minimum": minimum, "maximum": maximum, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> float:
        if self.from_text and isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}([.,]\d{1,12})?\s*",
                                                                     value):
            value = float(value.replace(",", "."))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail("number")
        if not self.minimum <= value <= self.maximum:  # NaN fails this too
            raise self.fail("range", min=f"{self.minimum:g}", max=f"{self.maximum:g}")
        return float(value)


class Flag(_Translated, ma.fields.Boolean):
    """true or false (in a query string also 1/0)."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
            return value.lower() in ("true", "1")
        raise self.fail("boolean")


# ---------------------------------------------------------------- dates and times

class Day(_Translated, ma.fields.Date):
    """A calendar date `YYYY-MM-DD` between 2000-01-01 and 2100-12-31."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> date:
        if isinstance(value, date) and not isinstance(value, datetime) and MIN_DATE <= value <= MAX_DATE:
            return value  # already loaded once (an API body handed on to a service)
        if not isinstance(value, str) or not _DATE.match(value.strip()):
            raise self.fail("date")
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise self.fail("date") from None
        if not MIN_DATE <= day <= MAX_DATE:
            raise self.fail("date_range", min=MIN_DATE.isoformat(), max=MAX_DATE.isoformat())
        return day


class LocalDateTime(_Translated, ma.fields.String):
    """A wall-clock time `YYYY-MM-DDTHH:MM` (seconds and a UTC offset optional) in 2000..2100."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": LOCAL_DATE_TIME, "example": "2027-01-04T09:00",
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> datetime:  # type: ignore[override]
        if not isinstance(value, str) or not re.fullmatch(LOCAL_DATE_TIME, value.strip()):
            raise self.fail("date_time")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.fail("date_time") from None
        if not MIN_DATE <= moment.date() <= MAX_DATE:
            raise self.fail("date_range", min=MIN_DATE.isoformat(), max=MAX_DATE.isoformat())
        return moment


# ---------------------------------------------------------------- containers

class List(_Translated, ma.fields.List):
    """A JSON array of at most `max_items` items."""

    default_error_messages = {"invalid": MESSAGES["list"]}

    def __init__(self, item: ma.fields.Field, *, max_items: int = 200, **kwargs: Any) -> None:
        self.max_items = max_items
        metadata = {"maxItems": max_items, **kwargs.pop("metadata", {})}
        super().__init__(item, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> list:
        if isinstance(value, list) and len(value) > self.max_items:
            raise self.fail("too_many", n=self.max_items)
        return super()._deserialize(value, attr, data, **kwargs)


class Nested(_Translated, ma.fields.Nested):
    default_error_messages = {"type": MESSAGES["object"]}


# ---------------------------------------------------------------- loading

def _flatten(messages: Any, path: tuple[str, ...] = ()) -> Iterable[tuple[str | None, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, path if key == "_schema" else (*path, str(key)))
    elif isinstance(messages, list):
        for item in messages:
            yield from _flatten(item, path)
    else:
        yield ".".join(path) or None, str(messages)


def invalid(problems: list[tuple[str | None, str]]) -> ValidationError:
    """Problems as (dotted field, message) in one ValidationError: the first leads, all are listed."""
    field, text = problems[0]
    return ValidationError(f"{field}: {text}" if field else text, field=field,
                           errors=[{"field": f, "message": m} for f, m in problems])


def validation_error(messages: Any) -> ValidationError:
    """marshmallow's messages as one ValidationError."""
    return invalid(list(_flatten(messages)))


def load(schema: ma.Schema, data: Any) -> Any:
    """Validate data through a schema; raise ValidationError naming every bad field."""
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        raise validation_error(error.messages) from None


def load_value(field: ma.fields.Field, value: Any, name: str) -> Any:
    """One value through its declared field type, for a service's keyword arguments; raise a
    ValidationError naming `name` (the same rules and words as the API's bodies)."""
    try:
        return field.deserialize(value)
    except ma.ValidationError as error:
        raise invalid([(f"{name}.{sub}" if sub else name, message)
                       for sub, message in _flatten(error.messages)]) from None


def check(schema: ma.Schema, data: Any) -> tuple[Any, list[tuple[str | None, str]]]:
    """Validate without raising, for files checked whole: the clean data (None when invalid) and
    every problem as (dotted field, message)."""
    try:
        return schema.load(data), []
    except ma.ValidationError as error:
        return None, list(_flatten(error.messages))
