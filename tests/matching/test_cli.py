"""`flask recommend` and `flask cohort`."""

import json

from matchmaker.matching.models import CohortProposal  # noqa: F401  (table exists)
from tests.matching.conftest import BLITAR, KENDARI


def test_recommend_json_is_the_api_shape(runner, profiles, api, make_user):
    result = runner.invoke(args=["recommend", BLITAR, "--topic", "wastewater", "--json"])

    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["mentee"] == {"code": BLITAR, "name": "Kota Blitar"}
    assert body["recommendations"][0]["code"] == KENDARI
    assert body["recommendations"][0]["reasons"][0]["text"].startswith("Kendari menjalankan")
    from_api = api(make_user("facilitator")).get(
        f"/api/v1/cities/{BLITAR}/recommendations?topic=wastewater").get_json()
    assert from_api == body


def test_recommend_table_shows_ranks_and_reasons(runner, profiles):
    result = runner.invoke(args=["recommend", BLITAR, "--topic", "wastewater", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert " 1. Kota Kendari (74.71)" in result.output
    assert "relevance" in result.output and "Akses sanitasi layak Kendari 91 %" in result.output
    assert "Kota Malang" not in result.output


def test_recommend_says_plainly_when_nobody_practises_the_topic(runner, profiles):
    result = runner.invoke(args=["recommend", BLITAR, "--topic", "building"])
    assert result.exit_code == 0
    assert "No city has recorded a practice on that topic yet." in result.output


def test_unknown_city_exits_non_zero_naming_it(runner, profiles):
    result = runner.invoke(args=["recommend", "99.99", "--topic", "wastewater"])
    assert result.exit_code != 0
    assert "99.99" in result.output


def test_unknown_topic_exits_non_zero(runner, profiles):
    result = runner.invoke(args=["recommend", BLITAR, "--topic", "sewage"])
    assert result.exit_code != 0
    assert "sewage" in result.output


def test_bad_limit_exits_non_zero(runner, profiles):
    result = runner.invoke(args=["recommend", BLITAR, "--topic", "wastewater", "--limit", "0"])
    assert result.exit_code != 0
    assert "limit" in result.output


def test_cohort_command_prints_pairs_and_totals(runner, profiles, make_user):
    user = make_user("facilitator")
    result = runner.invoke(args=["cohort", "--as-user", user.email, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output[result.output.index("{"):])
    assert {(p["mentee"], p["mentor"]) for p in body["pairs"]} >= {(BLITAR, KENDARI)}
    assert body["total"] >= body["greedy_total"] - 1e-9
