"""The programmes command line."""

import csv


def test_list_shows_the_programmes_a_user_sees(runner, planned, facilitator, pokja_jayapura):
    result = runner.invoke(args=["programmes", "list", "--as", facilitator.email])
    assert result.exit_code == 0, result.output
    assert "74.71 -> 35.72" in result.output and "09:00 WIB / 2027-01-04 10:00 WITA" in result.output
    assert "74.71" not in runner.invoke(args=["programmes", "list", "--as", pokja_jayapura.email]).output


def test_export_csv_writes_one_row_per_programme(runner, planned, facilitator, tmp_path):
    target = tmp_path / "programmes.csv"
    result = runner.invoke(args=["programmes", "export-csv", str(target), "--as", facilitator.email])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [(r["mentor_code"], r["mentee_code"], r["sessions_planned"]) for r in rows] == [
        ("74.71", "35.72", "6")]


def test_unknown_user_fails(runner):
    result = runner.invoke(args=["programmes", "list", "--as", "nobody@example.id"])
    assert result.exit_code != 0
