"""The columns of the city list, and the filtered list as CSV or XLSX.

Indicator columns show each city's figure for the chosen year (or its newest), and the exports
carry that figure's year and source next to it, so every number says where it comes from.
"""

import io
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from matchmaker.cities.figures import INDICATOR_LABELS, SORTABLE_INDICATORS, city_figure, is_bps
from matchmaker.cities.models import City
from matchmaker.cities.tabular import write_csv, write_text_row

COLUMNS: dict[str, Any] = {
    "code": _l("Kode"),
    "province": _l("Provinsi"),
    "kind": _l("Jenis"),
    "timezone": _l("Zona"),
    "population": _l("Penduduk"),
    **{key: INDICATOR_LABELS[key] for key in SORTABLE_INDICATORS},
    "practices": _l("Praktik"),
    "needs": _l("Kebutuhan"),
}
DEFAULT_COLUMNS = ("code", "province", "population", "sanitation_access_pct",
                   "drinking_water_access_pct", "practices", "needs")
INDICATOR_COLUMNS = frozenset(SORTABLE_INDICATORS)


def _plain(city: City, column: str) -> Any:
    if column == "province":
        return city.province_name
    if column == "timezone":
        return city.timezone
    if column == "practices":
        return "; ".join(sorted({p.topic for p in city.practices}))
    if column == "needs":
        return "; ".join(sorted({n.topic for n in city.needs}))
    return getattr(city, column)


def export_header(columns: list[str]) -> list[str]:
    header = ["code", "name"]
    for column in columns:
        if column in INDICATOR_COLUMNS:
            header += [column, f"{column}_year", f"{column}_source"]
        elif column != "code":
            header.append(column)
    return header


def export_rows(cities: list[City], columns: list[str], year: int | None) -> list[list[Any]]:
    """One row per city: plain columns, and value, year, source for every indicator column."""
    rows = []
    for city in cities:
        row: list[Any] = [city.code, city.name]
        for column in columns:
            if column in INDICATOR_COLUMNS:
                found = city_figure(city, column, year)
                row += [found.value, found.year, found.source] if found else [None, None, None]
            elif column != "code":
                row.append(_plain(city, column))
        rows.append(row)
    return rows


def shows_bps(cities: list[City], columns: list[str], year: int | None) -> bool:
    """Whether any BPS figure is among those shown (the page then says "Sumber: BPS")."""
    return any(is_bps(city_figure(city, column, year))
               for column in columns if column in INDICATOR_COLUMNS for city in cities)


def list_csv(cities: list[City], columns: list[str], year: int | None) -> bytes:
    return write_csv(export_header(columns), export_rows(cities, columns, year))


def list_xlsx(cities: list[City], columns: list[str], year: int | None) -> bytes:
    """The list on one sheet; a second sheet names the sources and the filters' year."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "cities"
    write_text_row(sheet, export_header(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    for row in export_rows(cities, columns, year):
        write_text_row(sheet, row)
    notes = workbook.create_sheet("sources")
    write_text_row(notes, [_("Sumber: BPS (Susenas, IPM) untuk angka bertanda BPS; sumber tiap "
                             "angka ada di kolom *_source.")])
    write_text_row(notes, [_("Data wilayah: Kepmendagri melalui cahyadsn/wilayah (MIT); penduduk: "
                             "Dukcapil, Desember 2024.")])
    write_text_row(notes, [_("Tahun indikator: %(year)s", year=year) if year
                           else _("Tahun indikator: terbaru per kota (lihat kolom *_year).")])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
