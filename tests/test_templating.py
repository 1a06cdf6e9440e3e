"""One date and number style per locale in every page's filters."""

from datetime import UTC, datetime

from flask_babel import force_locale

from matchmaker.templating import file_size, format_times


def test_dates_numbers_and_sizes_follow_the_locale(app):
    start = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    env = app.jinja_env.filters
    with app.test_request_context("/"):
        assert format_times(start, "Asia/Makassar", "Asia/Jakarta", fmt="%d-%m-%Y %H:%M") == \
            "4 Jan 2027 10:00 WITA / 09:00 WIB"
        assert format_times(start, "Asia/Jakarta", fmt="%d-%m-%Y") == "4 Jan 2027"
        assert format_times(start, "Asia/Jakarta") == "09:00 WIB"
        assert (env["number"](1234567), env["number"](35.5, 1), env["score"](0.8123)) == \
            ("1.234.567", "35,5", "0,81")
        assert (file_size(2_621_440), file_size(2_000)) == ("2,5 MB", "2 KB")
        with force_locale("en"):
            assert format_times(start, "Asia/Jakarta", fmt="%d-%m-%Y") == "Jan 4, 2027"
            assert (env["number"](1234567), env["score"](0.8123)) == ("1,234,567", "0.81")
