"""`flask programmes export-csv`, added by the reports package."""

import csv


def test_export_csv_writes_one_row_per_programme(runner, planned, facilitator, tmp_path):
    target = tmp_path / "programmes.csv"
    result = runner.invoke(args=["programmes", "export-csv", str(target), "--as", facilitator.email])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [(r["Kode mentor"], r["Kode mentee"], r["Sesi direncanakan"]) for r in rows] == [
        ("74.71", "35.72", "6")]
