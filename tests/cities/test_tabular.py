"""Profiles as XLSX workbooks and CSV sets: the same records, every problem by sheet, row, column."""

import csv
import io
import json
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from matchmaker.cities import tabular
from matchmaker.cities.importer import (
    export_profiles,
    import_prepared,
    prepare_files,
    region_codes,
    render_export,
)
from matchmaker.cities.models import Indicator, Practice
from matchmaker.errors import ValidationError
from matchmaker.extensions import db

PAYLOAD = {
    "cities": [{"code": "74.71", "indicators": {
        "year": 2024, "sanitation_access_pct": 91.5, "hdi": 85.97, "fiscal_capacity": "medium",
        "kotaku_scores": {"wastewater": 82.0, "solid_waste": 74.0},
        "sources": {"sanitation_access_pct": "Dinas PUPR", "kotaku_scores": "KOTAKU 2024"}}},
        {"code": "35.72", "indicators": {"year": 2021, "poverty_pct": 7.1}}],
    "practices": [{"city": "74.71", "topic": "wastewater", "title": "L2T2 bagi ASN",
                   "description": "Baris satu\nbaris dua; \"kutip\", koma", "maturity": "institutionalised",
                   "started_year": 2016, "outcomes": ""},
                  {"city": "11.10", "topic": "governance", "title": "=HYPERLINK(\"http://x\")",
                   "description": "-5 % kebocoran", "maturity": "pilot", "started_year": None,
                   "outcomes": "'sudah dikutip"}],
    "needs": [{"city": "35.72", "topic": "wastewater", "title": "Memulai L2T2", "description": "",
               "priority": "high"}],
}


def practices(n: int) -> list[dict]:
    codes = ["74.71", "35.72", "33.72", "73.71"]
    return [{"city": codes[i % 4], "topic": "wastewater", "title": f"Praktik {i}",
             "description": "Layanan lumpur tinja terjadwal", "maturity": "pilot",
             "started_year": 2018, "outcomes": ""} for i in range(n)]


def import_file(name: str, data: bytes, now):
    counts = import_prepared(prepare_files([(name, data)]), now)
    db.session.commit()
    return counts


def csv_set(payload: dict) -> list[tuple[str, bytes]]:
    rows = tabular.payload_rows(payload)
    return [(f"{sheet}.csv", tabular.write_csv(tabular.SHEETS[sheet], rows[sheet])) for sheet in rows]


@pytest.mark.parametrize("fmt, name", [("xlsx", "profiles.xlsx"), ("csv", "profiles.zip"),
                                       ("json", "profiles.json")])
def test_export_then_import_round_trips_without_change(app, now, fmt, name):
    import_file("seed.json", json.dumps(PAYLOAD).encode(), now)
    before = export_profiles()
    exported = render_export(before, fmt)
    assert import_file(name, exported, now) == {"created": 0, "updated": 0, "unchanged": 5}
    assert export_profiles() == before


@pytest.mark.parametrize("fmt, name", [("xlsx", "profiles.xlsx"), ("csv", "profiles.zip")])
def test_a_spreadsheet_export_imports_into_an_empty_database_as_the_same_records(app, now, fmt, name):
    exported = render_export(json.loads(json.dumps(PAYLOAD)), fmt)
    assert import_file(name, exported, now)["created"] == 5
    assert export_profiles()["practices"] == sorted(PAYLOAD["practices"],
                                                    key=lambda p: (p["city"], p["topic"], p["title"]))
    assert export_profiles()["cities"] == sorted(PAYLOAD["cities"], key=lambda c: c["code"],
                                                 reverse=False)


def test_csv_files_uploaded_one_by_one_are_a_set(app, now):
    assert import_prepared(prepare_files(csv_set(PAYLOAD)), now)["created"] == 5


def workbook_with(records: list[dict]) -> bytes:
    return tabular.write_xlsx({"practices": records}, region_codes())


def test_one_bad_cell_among_2000_rows_refuses_the_workbook_naming_the_cell(app, now):
    records = practices(2000)
    records[1233]["maturity"] = "legendary"
    with pytest.raises(ValidationError) as error:
        import_file("big.xlsx", workbook_with(records), now)
    db.session.rollback()
    (problem,) = error.value.errors
    assert (problem["sheet"], problem["row"], problem["column"], problem["cell"]) == (
        "practices", 1235, "maturity", "E1235")  # header in row 1, record 1234 in row 1235
    assert "legendary" in problem["message"]
    assert db.session.scalar(select(func.count(Practice.id))) == 0
    records[1233]["maturity"] = "pilot"
    assert import_file("big.xlsx", workbook_with(records), now)["created"] == 2000


def test_problems_in_a_csv_set_name_file_row_and_column(app, now):
    payload = {"cities": [{"code": "74.71", "indicators": {"year": 2024, "hdi": 140.0}}],
               "needs": [{"city": "99.99", "topic": "wastewater", "title": "X"}]}
    files = csv_set(payload)
    with pytest.raises(ValidationError) as error:
        prepared = prepare_files(files)
        import_prepared(prepared, now)
    found = {(p["sheet"], p["row"], p["column"]) for p in error.value.errors}
    assert found == {("indicators", 2, "hdi"), ("needs", 2, "city")}
    assert all(p["cell"] is None for p in error.value.errors)  # CSV has no cell letters


def test_numbers_written_as_text_and_mangled_codes_are_read(app, now):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "indicators"
    sheet.append(["code", "year", "sanitation_access_pct", "hdi_source"])
    sheet.append([74.71, "2024", "91.5", 12])   # code typed as a number, year and value as text
    sheet.append([3572, 2021.0, 78, None])      # code with its dot eaten by a locale
    sheet.append([11.1, 2024, None, None])      # 11.10 with its trailing zero dropped
    sheet.append([None, None, None, None])      # blank rows are skipped
    out = io.BytesIO()
    workbook.save(out)
    assert import_file("typed.xlsx", out.getvalue(), now)["created"] == 3
    rows = {(i.city.code, i.year): (i.sanitation_access_pct, i.sources)
            for i in db.session.scalars(select(Indicator))}
    assert rows == {("74.71", 2024): (91.5, {"hdi": "12"}), ("35.72", 2021): (78.0, None),
                    ("11.10", 2024): (None, None)}


def test_a_value_that_is_not_a_number_is_named_not_guessed(app, now):
    files = [("indicators.csv", b"code;year;sanitation_access_pct\n74.71;2024;98,32\n")]
    with pytest.raises(ValidationError) as error:
        import_prepared(prepare_files(files), now)
    (problem,) = error.value.errors
    assert (problem["row"], problem["column"], problem["message"]) == (
        2, "sanitation_access_pct", "harus angka")


def test_layout_problems_are_reported_before_anything_is_read(app):
    files = [("practices.csv", b"city,topic,judul\n74.71,wastewater,x\n"),
             ("notes.csv", b"a\n1\n")]
    with pytest.raises(ValidationError) as error:
        prepare_files(files)
    messages = [p["message"] for p in error.value.errors]
    assert any("'title'" in m for m in messages) and any("notes.csv" in m for m in messages)


@pytest.mark.parametrize("name, data", [("a.xlsx", b"not a zip"), ("a.zip", b"PK\x03\x04broken"),
                                        ("a.txt", b"x"), ("a.json", b"[1, 2]")])
def test_unreadable_files_get_a_clear_error(app, name, data):
    with pytest.raises(ValidationError) as error:
        prepare_files([(name, data)])
    assert name in error.value.message or "." in error.value.message


def test_csv_export_guards_text_that_a_spreadsheet_would_run(app):
    rows = tabular.payload_rows(PAYLOAD)["practices"]
    text = tabular.write_csv(tabular.SHEETS["practices"], rows).decode("utf-8-sig")
    cells = next(r for r in csv.reader(io.StringIO(text)) if r[0] == "11.10")
    assert cells[2].startswith("'=") and cells[3].startswith("'-") and cells[6] == "''sudah dikutip"


def test_xlsx_export_keeps_formula_like_text_as_text(app):
    workbook = load_workbook(io.BytesIO(render_export(PAYLOAD, "xlsx")))
    title = next(row[2] for row in workbook["practices"].iter_rows(min_row=2) if row[0].value == "11.10")
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK")


def test_template_has_drop_down_lists_for_the_vocabularies_and_codes(app):
    workbook = load_workbook(io.BytesIO(tabular.write_xlsx({}, region_codes())))
    assert {"README", "codes", "indicators", "practices", "needs"} <= set(workbook.sheetnames)
    practices_sheet = workbook["practices"]
    assert [c.value for c in practices_sheet[1]] == tabular.SHEETS["practices"]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in practices_sheet.data_validations.dataValidation}
    assert lists["A2"] == "codes!$A$2:$A$515"
    assert "wastewater" in lists["B2"] and "institutionalised" in lists["E2"]
    fiscal_column = tabular.SHEETS["indicators"].index("fiscal_capacity")
    formulas = [v.formula1 for v in workbook["indicators"].data_validations.dataValidation]
    assert any("very_high" in f for f in formulas) and fiscal_column > 0
    assert workbook["codes"].max_row == 515


def test_a_zip_bomb_is_refused(app, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("practices.csv", "city,topic,title,maturity\n" + "x" * 5000)
    with pytest.raises(ValidationError) as error:
        prepare_files([("big.zip", out.getvalue())])
    assert "terlalu besar" in error.value.message


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(app, now):
    text = ('city,topic,title,description,maturity\n'
            '74.71,wastewater,A,"baris satu\nbaris dua",pilot\n'
            '74.71,wastewater,B,,legendary\n')
    with pytest.raises(ValidationError) as error:
        import_prepared(prepare_files([("practices.csv", text.encode())]), now)
    (problem,) = error.value.errors
    assert (problem["row"], problem["column"]) == (3, "maturity")
