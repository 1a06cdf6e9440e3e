"""The programmes command line."""

def test_list_shows_the_programmes_a_user_sees(runner, planned, facilitator, pokja_jayapura):
    result = runner.invoke(args=["programmes", "list", "--as", facilitator.email])
    assert result.exit_code == 0, result.output
    assert "74.71 -> 35.72" in result.output and "09:00 WIB / 2027-01-04 10:00 WITA" in result.output
    assert "74.71" not in runner.invoke(args=["programmes", "list", "--as", pokja_jayapura.email]).output


def test_unknown_user_fails(runner):
    result = runner.invoke(args=["programmes", "list", "--as", "nobody@example.id"])
    assert result.exit_code != 0
