import json

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from matchmaker import create_app
from matchmaker.cities import tabular
from matchmaker.cities.access import get_city
from matchmaker.cities.figures import city_figure, figure_values
from matchmaker.cities.importer import region_codes, render_export
from matchmaker.cities.models import Practice
from matchmaker.extensions import db
from tests.conftest import scratch_database


def write(tmp_path, payload, name="data.json"):
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def practices(n):
    codes = ["74.71", "35.72", "33.72", "73.71"]
    return [{"city": codes[i % 4], "topic": "wastewater", "title": f"Praktik {i}",
             "maturity": "pilot"} for i in range(n)]


def test_import_command_imports_and_reimport_changes_nothing(runner, tmp_path):
    path = write(tmp_path, {"practices": practices(50)})
    first = runner.invoke(args=["import", str(path)])
    assert first.exit_code == 0, first.output
    assert "50 new" in first.output
    second = runner.invoke(args=["import", str(path)])
    assert "0 new, 0 updated, 50 unchanged" in second.output
    assert db.session.scalar(select(func.count(Practice.id))) == 50


def test_import_command_refuses_a_bad_file_naming_record_and_field(runner, tmp_path):
    records = practices(3000)
    records[2222]["city"] = "99.99"
    result = runner.invoke(args=["import", str(write(tmp_path, {"practices": records}))])
    assert result.exit_code == 1
    assert "practices record 2223: city: kode kota tidak dikenal: '99.99'" in result.output
    assert db.session.scalar(select(func.count(Practice.id))) == 0


def test_import_command_reports_invalid_json(runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"practices": [', encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "bukan JSON yang sah" in result.output


def test_export_command_writes_the_import_format(runner, tmp_path):
    runner.invoke(args=["import", str(write(tmp_path, {"practices": practices(4)}))])
    out = tmp_path / "out.json"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(p["title"] for p in data["practices"]) == [f"Praktik {i}" for i in range(4)]
    assert set(data) == {"cities", "practices", "needs"}


def test_users_create_with_password_stdin_and_token(runner):
    result = runner.invoke(args=["users", "create", "--email", "pokja@blitar.id", "--role", "pokja",
                                 "--city", "35.72", "--password-stdin"], input="a-good-password\n")
    assert result.exit_code == 0, result.output
    token = runner.invoke(args=["users", "token", "pokja@blitar.id"]).output.strip()
    assert token.startswith("mm_")


def test_users_create_prints_a_one_time_link(runner):
    result = runner.invoke(args=["users", "create", "--email", "f@pmu.id", "--role", "facilitator"])
    assert result.exit_code == 0
    assert "/set-password/" in result.output


def test_users_create_pokja_without_city_fails_naming_the_field(runner):
    result = runner.invoke(args=["users", "create", "--email", "p@x.id", "--role", "pokja"])
    assert result.exit_code == 1
    assert "p@x.id: city:" in result.output


def test_demo_loads_kendari_practice_and_blitar_need(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "pokja.blitar@demo.id" in result.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    titles = set(db.session.scalars(select(Practice.title)))
    assert "Layanan Lumpur Tinja Terjadwal (L2T2) bagi ASN" in titles


def test_import_command_reads_a_workbook_a_csv_folder_and_a_zip(runner, tmp_path):
    payload = {"practices": practices(6)}
    (tmp_path / "book.xlsx").write_bytes(tabular.write_xlsx(payload, region_codes()))
    (tmp_path / "set.zip").write_bytes(render_export(payload, "csv"))
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "practices.csv").write_bytes(
        tabular.write_csv(tabular.SHEETS["practices"], tabular.payload_rows(payload)["practices"]))
    first = runner.invoke(args=["import", str(tmp_path / "book.xlsx")])
    assert first.exit_code == 0, first.output
    assert "6 new" in first.output
    for path in (tmp_path / "set.zip", folder):
        again = runner.invoke(args=["import", str(path)])
        assert "0 new, 0 updated, 6 unchanged" in again.output, again.output


def test_import_command_names_the_sheet_row_and_cell_of_a_bad_value(runner, tmp_path):
    records = practices(30)
    records[9]["started_year"] = "dua ribu"
    (tmp_path / "book.xlsx").write_bytes(tabular.write_xlsx({"practices": records}, region_codes()))
    result = runner.invoke(args=["import", str(tmp_path / "book.xlsx")])
    assert result.exit_code == 1
    assert "book.xlsx: practices row 11, column started_year (F11): harus bilangan bulat" in result.output
    assert db.session.scalar(select(func.count(Practice.id))) == 0


@pytest.mark.parametrize("name", ["out.json", "out.xlsx", "out.zip", "outdir"])
def test_export_command_writes_the_form_its_name_says(runner, tmp_path, name):
    runner.invoke(args=["import", str(write(tmp_path, {"practices": practices(3)}))])
    result = runner.invoke(args=["export", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["import", str(tmp_path / name)])
    assert "0 new, 0 updated, 3 unchanged" in again.output, again.output


def test_export_command_refuses_an_unknown_extension(runner, tmp_path):
    result = runner.invoke(args=["export", str(tmp_path / "out.pdf")])
    assert result.exit_code == 1 and "out.pdf" in result.output


def test_load_regions_on_an_empty_database_gives_kendaris_bps_figures(app_config, tmp_path):
    with scratch_database(tmp_path, "matchmaker_regions") as url:
        class Config(app_config):
            SQLALCHEMY_DATABASE_URI = url

        fresh = create_app(Config)
        with fresh.app_context():
            try:
                upgrade()
                result = fresh.test_cli_runner().invoke(args=["load-regions"])
                assert result.exit_code == 0, result.output
                assert "Regions: 514 created" in result.output
                assert "Indicator years: 1028 created" in result.output
                kendari = get_city("74.71")
                assert {key: (city_figure(kendari, key, 2024).value, city_figure(kendari, key, 2024)
                              .source.split(",")[0]) for key in ("sanitation_access_pct",
                                                                 "drinking_water_access_pct",
                                                                 "poverty_pct", "hdi")} == {
                    "sanitation_access_pct": (98.32, "BPS"), "drinking_water_access_pct": (99.70, "BPS"),
                    "poverty_pct": (4.23, "BPS"), "hdi": (85.97, "BPS")}
                sanitation = figure_values("sanitation_access_pct", 2024)
                assert sum(not f.is_missing for f in sanitation.values()) == 511
                again = fresh.test_cli_runner().invoke(args=["load-regions"])
                assert "0 created, 0 updated, 1028 unchanged" in again.output
            finally:
                db.session.remove()
                db.engine.dispose()
