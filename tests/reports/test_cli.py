"""`flask programmes export-csv`, added by the reports package."""

import csv

from matchmaker.extensions import db
from matchmaker.matching.feedback import record_feedback
from matchmaker.timeutils import utcnow


def test_export_csv_writes_one_row_per_programme(runner, planned, facilitator, tmp_path):
    target = tmp_path / "programmes.csv"
    result = runner.invoke(args=["programmes", "export-csv", str(target), "--as", facilitator.email])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [(r["Kode mentor"], r["Kode mentee"], r["Sesi direncanakan"]) for r in rows] == [
        ("74.71", "35.72", "6")]


def test_match_feedback_writes_one_row_per_feedback(app, runner, facilitator, kendari, blitar,
                                                    tmp_path):
    with app.test_request_context():
        record_feedback(facilitator, blitar, kendari, "wastewater", "already_tried", "", utcnow())
    db.session.commit()
    target = tmp_path / "feedback.csv"
    result = runner.invoke(args=["match-feedback", str(target)])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 feedback rows" in result.output
    (row,) = csv.DictReader(target.read_text(encoding="utf-8").splitlines())
    assert (row["mentee_code"], row["mentor_code"], row["reason"]) == ("35.72", "74.71", "already_tried")
