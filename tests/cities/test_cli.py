import json

from sqlalchemy import func, select

from matchmaker.cities.models import Practice
from matchmaker.extensions import db


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
    assert "practices record 2223: city: unknown city code '99.99'" in result.output
    assert db.session.scalar(select(func.count(Practice.id))) == 0


def test_import_command_reports_invalid_json(runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"practices": [', encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "not valid JSON" in result.output


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
