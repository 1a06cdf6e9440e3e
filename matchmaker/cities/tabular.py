"""Profiles as spreadsheets: an XLSX workbook or a set of CSV files, one sheet per record type.

The sheets are flat views of the JSON import format (docs/data-format.md): reading one gives the
same payload the JSON importer takes, plus a way to name the sheet, row and column of every
problem; writing one from an export gives a file that imports back without change.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from matchmaker.cities.schemas import INDICATOR_KEYS, KOTAKU_KEYS
from matchmaker.vocab import FISCAL_CAPACITY, MATURITY, PRIORITY, TOPICS

MAX_ROWS = 100_000  # per sheet; far above the 514 cities' worth of records
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip (XLSX or CSV set) may not inflate beyond this
CSV_ENCODING = "utf-8-sig"  # with a byte-order mark, so Excel reads the accents right
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
INSTRUCTIONS_SHEET, CODES_SHEET = "README", "codes"

KOTAKU_COLUMNS = {f"kotaku_{key}": key for key in KOTAKU_KEYS}
SHEETS: dict[str, list[str]] = {
    "indicators": ["code", "year",
                   *[c for key in INDICATOR_KEYS if key != "kotaku_scores"
                     for c in (key, f"{key}_source")],
                   *KOTAKU_COLUMNS, "kotaku_scores_source"],
    "practices": ["city", "topic", "title", "description", "maturity", "started_year", "outcomes"],
    "needs": ["city", "topic", "title", "description", "priority"],
}
SECTION = {"indicators": "cities", "practices": "practices", "needs": "needs"}
SHEET_OF_SECTION = {section: sheet for sheet, section in SECTION.items()}
REQUIRED = {"indicators": ("code", "year"), "practices": ("city", "topic", "title", "maturity"),
            "needs": ("city", "topic", "title")}
CODE_COLUMNS = {"code", "city"}
INTEGER_COLUMNS = {"year", "started_year"}
NUMBER_COLUMNS = {"sanitation_access_pct", "drinking_water_access_pct", "poverty_pct", "hdi",
                  "slum_area_ha", *KOTAKU_COLUMNS}
CHOICES = {"topic": TOPICS, "maturity": MATURITY, "priority": PRIORITY,
           "fiscal_capacity": FISCAL_CAPACITY}


@dataclass
class Table:
    """One sheet or CSV file as read: its header and its non-empty rows with their row numbers."""

    sheet: str
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    spreadsheet: bool = False  # XLSX: problems name the cell (C17) too


def _problem(sheet: str, row: int | None, column: str | None, message: str, cell: str = "") -> dict:
    return {"section": SECTION.get(sheet), "record": None, "field": column, "message": message,
            "sheet": sheet, "row": row, "column": column, "cell": cell or None}


# ---- reading -------------------------------------------------------------------------------

def _code(value: Any) -> Any:
    """A Kemendagri code as text, however a spreadsheet mangled it (74.71, 11.1, 3572)."""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return f"{value // 100:02d}.{value % 100:02d}"
    return str(value).strip() if not isinstance(value, str) else value.strip()


def _integer(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return text  # the schema says "must be a whole number" with the value
            return int(number) if number.is_integer() else text
    return value


def _number(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value.strip()
    return value


def _text(value: Any, from_csv: bool) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if from_csv and isinstance(value, str) and value.startswith("'"):
        return value[1:]  # undo the export's guard against formulas (see csv_cell)
    return value


def _convert(column: str, value: Any, from_csv: bool) -> Any:
    if column in CODE_COLUMNS:
        return _code(value)
    if column in INTEGER_COLUMNS:
        return _integer(value)
    if column in NUMBER_COLUMNS:
        return _number(value)
    return _text(value, from_csv)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def tables_to_payload(tables: Iterable[Table]) -> tuple[dict, list[dict], Callable[[dict], dict]]:
    """The import payload of these tables, problems of their layout, and a problem locator.

    The locator turns an importer problem (section, record, field) into one that also names the
    sheet, row and column (and, in a workbook, the cell).
    """
    payload: dict[str, list] = {}
    problems: list[dict] = []
    places: dict[tuple[str, int], tuple[Table, int]] = {}
    for table in tables:
        sheet, known = table.sheet, SHEETS[table.sheet]
        header = [str(h).strip().lower() if h is not None else "" for h in table.header]
        duplicates = sorted({h for h in header if h and header.count(h) > 1})
        missing = [c for c in REQUIRED[sheet] if c not in header]
        for name in duplicates:
            problems.append(_problem(sheet, 1, name, _("Kolom '%(column)s' muncul lebih dari sekali.",
                                                       column=name)))
        for name in missing:
            problems.append(_problem(sheet, 1, name, _("Kolom wajib '%(column)s' tidak ada.",
                                                       column=name)))
        if duplicates or missing:
            continue
        table.header = header
        records = payload.setdefault(SECTION[sheet], [])
        for row_number, cells in table.rows:
            values = {name: _convert(name, cell, not table.spreadsheet)
                      for name, cell in zip(header, cells, strict=False)
                      if name in known and not _is_blank(cell)}
            records.append(_record(sheet, values))
            places[(SECTION[sheet], len(records))] = (table, row_number)

    def locate(problem: dict) -> dict:
        place = places.get((problem.get("section") or "", problem.get("record") or 0))
        if place is None:
            return problem
        table, row_number = place
        column = _column_of(problem.get("field") or "")
        cell = ""
        if column in table.header and table.spreadsheet:
            cell = f"{get_column_letter(table.header.index(column) + 1)}{row_number}"
        return {**problem, "sheet": table.sheet, "row": row_number, "column": column,
                "cell": cell or None}

    return payload, problems, locate


def _record(sheet: str, values: dict) -> dict:
    if sheet != "indicators":
        return values
    indicators: dict[str, Any] = {}
    sources, scores = {}, {}
    for name, value in values.items():
        if name == "code":
            continue
        if name in KOTAKU_COLUMNS:
            scores[KOTAKU_COLUMNS[name]] = value
        elif name.endswith("_source"):
            sources[name.removesuffix("_source")] = value if isinstance(value, str) else str(value)
        else:
            indicators[name] = value
    if scores:
        indicators["kotaku_scores"] = scores
    if sources:
        indicators["sources"] = sources
    return {"code": values.get("code"), "indicators": indicators}


def _column_of(field_name: str) -> str | None:
    """The sheet column of an importer field name ('indicators.sources.hdi' -> 'hdi_source')."""
    parts = field_name.split(".")
    if parts[0] == "indicators":
        parts = parts[1:]
    if not parts or parts[0] in ("record", "indicators"):
        return None
    if parts[0] == "kotaku_scores" and len(parts) > 1:
        return f"kotaku_{parts[1]}"
    if parts[0] == "sources" and len(parts) > 1:
        return f"{parts[1]}_source"
    return parts[0]


def _sheet_name(name: str) -> str | None:
    stem = PurePosixPath(name).stem.strip().lower()
    return stem if stem in SHEETS else None


def read_xlsx(data: bytes) -> tuple[list[Table], list[dict]]:
    """The record sheets of a workbook; other sheets (instructions, code lists) are skipped."""
    _check_zip(data, "XLSX")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFile(_("Berkas XLSX tidak dapat dibaca (%(error)s).",
                               error=type(error).__name__)) from error
    tables, problems = [], []
    try:
        for worksheet in workbook.worksheets:
            sheet = _sheet_name(worksheet.title)
            if sheet is None:
                continue
            rows = worksheet.iter_rows(values_only=True)
            table = Table(sheet, list(next(rows, ())), spreadsheet=True)
            for number, cells in enumerate(rows, start=2):
                if all(_is_blank(c) for c in cells):
                    continue
                if len(table.rows) >= MAX_ROWS:
                    problems.append(_problem(sheet, number, None, _(
                        "Lebih dari %(count)s baris; bagi berkas ini.", count=MAX_ROWS)))
                    break
                table.rows.append((number, list(cells)))
            tables.append(table)
    finally:
        workbook.close()
    if not tables and not problems:
        problems.append(_problem("", None, None, _(
            "Buku kerja tidak punya lembar 'indicators', 'practices' atau 'needs'.")))
    return tables, problems


def read_csv(name: str, data: bytes) -> tuple[list[Table], list[dict]]:
    """One CSV file of the set, named after its sheet (practices.csv)."""
    sheet = _sheet_name(name)
    if sheet is None:
        return [], [_problem("", None, None, _(
            "Berkas '%(name)s' tidak dikenal: namai indicators.csv, practices.csv atau needs.csv.",
            name=name))]
    try:
        text = data.decode(CSV_ENCODING)
    except UnicodeDecodeError:
        return [], [_problem(sheet, None, None, _("%(name)s bukan teks UTF-8.", name=name))]
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)  # Excel in Indonesian locales writes ';'
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = Table(sheet, next(reader, []))
    problems = []
    number = 1
    try:
        # Rows are numbered as a spreadsheet shows them (header = 1; a quoted line break stays
        # inside its row), not by lines of the file.
        for number, cells in enumerate(reader, start=2):
            if all(_is_blank(c) for c in cells):
                continue
            if len(table.rows) >= MAX_ROWS:
                problems.append(_problem(sheet, number, None, _(
                    "Lebih dari %(count)s baris; bagi berkas ini.", count=MAX_ROWS)))
                break
            table.rows.append((number, cells))
    except csv.Error as error:
        problems.append(_problem(sheet, number + 1, None, str(error)))
    return [table], problems


def read_zip(data: bytes) -> tuple[list[Table], list[dict]]:
    """A CSV set packed in a zip archive (folders inside are fine; other files are skipped)."""
    _check_zip(data, "ZIP")
    tables, problems = [], []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = PurePosixPath(info.filename)
            if info.is_dir() or name.suffix.lower() != ".csv" or name.name.startswith("."):
                continue
            found, trouble = read_csv(name.name, archive.read(info))
            tables += found
            problems += trouble
    if not tables and not problems:
        problems.append(_problem("", None, None, _("Arsip ZIP tidak berisi berkas CSV.")))
    return tables, problems


class UnreadableFile(ValueError):
    """The upload is not a file of the kind its name says."""


def _check_zip(data: bytes, kind: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise UnreadableFile(_("Berkas %(kind)s rusak atau bukan %(kind)s.", kind=kind)) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(_("Isi berkas %(kind)s terlalu besar setelah dibuka.", kind=kind))


# ---- writing -------------------------------------------------------------------------------

def payload_rows(payload: dict) -> dict[str, list[list[Any]]]:
    """The rows (without header) of each sheet for an import-format payload."""
    sheets: dict[str, list[list[Any]]] = {sheet: [] for sheet in SHEETS}
    for record in payload.get("cities", []):
        indicators = record.get("indicators", {})
        flat = {"code": record["code"], **{k: v for k, v in indicators.items()
                                           if k not in ("kotaku_scores", "sources")}}
        flat.update({f"kotaku_{k}": v for k, v in (indicators.get("kotaku_scores") or {}).items()})
        flat.update({f"{k}_source": v for k, v in (indicators.get("sources") or {}).items()})
        sheets["indicators"].append([flat.get(c) for c in SHEETS["indicators"]])
    for section in ("practices", "needs"):
        sheet = SHEET_OF_SECTION[section]
        for record in payload.get(section, []):
            sheets[sheet].append([record.get(c) for c in SHEETS[sheet]])
    return sheets


def csv_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading quote (undone on import)."""
    if not isinstance(value, str):
        return "" if value is None else value
    return "'" + value if value[:1] in (*FORMULA_START, "'") else value


def write_csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode(CSV_ENCODING)


def write_csv_zip(payload: dict) -> bytes:
    """The CSV set as one zip: indicators.csv, practices.csv, needs.csv."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, rows in payload_rows(payload).items():
            archive.writestr(f"{sheet}.csv", write_csv(SHEETS[sheet], rows))
    return out.getvalue()


def write_text_row(worksheet, values: list[Any]) -> None:
    """Append a row; text stays text (never a formula or an error code) in Excel."""
    cells = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(worksheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    worksheet.append(cells)


def write_xlsx(payload: dict, codes: list[tuple[str, str]]) -> bytes:
    """A workbook with one sheet per record type, drop-down lists for the vocabularies and codes.

    With an empty payload this is the template to fill in.
    """
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    for line in _instructions():
        instructions.append([line])
    code_list = workbook.create_sheet(CODES_SHEET)
    write_text_row(code_list, ["code", "name"])
    for code, name in codes:
        write_text_row(code_list, [code, name])
    code_range = f"{CODES_SHEET}!$A$2:$A${max(len(codes) + 1, 2)}"
    for sheet, rows in payload_rows(payload).items():
        worksheet = workbook.create_sheet(sheet)
        write_text_row(worksheet, SHEETS[sheet])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        worksheet.freeze_panes = "A2"
        for row in rows:
            write_text_row(worksheet, row)
        _add_validations(worksheet, SHEETS[sheet], code_range)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _add_validations(worksheet, header: list[str], code_range: str) -> None:
    for index, column in enumerate(header, start=1):
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = 40 if column in ("title", "description") else 16
        if column in CODE_COLUMNS:
            formula = code_range
        elif column in CHOICES:
            formula = '"' + ",".join(CHOICES[column]) + '"'
        else:
            continue
        validation = DataValidation(type="list", formula1=formula, allow_blank=True,
                                    showErrorMessage=True)
        validation.error = _("Pilih dari daftar.")
        validation.add(f"{letter}2:{letter}1048576")
        worksheet.add_data_validation(validation)


def _instructions() -> list[str]:
    return [
        _("Matchmaker: profil kota/kabupaten (indikator, praktik, kebutuhan)"),
        _("Isi lembar indicators, practices dan needs; baris pertama adalah nama kolom, jangan diubah."),
        _("Kolom code/city: kode Kemendagri (lihat lembar codes). Topik, kematangan, prioritas dan "
          "kapasitas fiskal dipilih dari daftar."),
        _("Kolom *_source: sumber angka di sebelahnya, mis. 'BPS, Susenas 2024'."),
        _("Seluruh berkas diperiksa dulu: satu sel salah berarti tidak ada yang diimpor, dan setiap "
          "masalah disebut dengan lembar, baris dan kolomnya."),
        _("Format lengkap: docs/data-format.md."),
    ]
