"""The map's layers: classes of the shading, the query string, and the legends."""

import pytest
from werkzeug.datastructures import MultiDict

from matchmaker.errors import ValidationError
from matchmaker.maps.layers import SHADES, MapQuery, _breaks, map_query, programme_lines, shading


def test_classes_have_equal_counts_and_ties_never_split():
    assert _breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5) == [3, 5, 7, 9, 10]
    assert _breaks([5, 5, 5, 5, 9], 5) == [5, 9]
    assert _breaks([7.5], 5) == [7.5]


@pytest.mark.parametrize(("args", "field"), [
    ({"indicator": "fiscal_capacity"}, "indicator"), ({"year": "1900"}, "year"),
    ({"topic": "sewer"}, "topic"), ({"status": "open,active"}, "status")])
def test_a_bad_choice_is_refused_naming_the_parameter(app, args, field):
    with pytest.raises(ValidationError) as refused:
        map_query(MultiDict(args))
    assert refused.value.field == field


def test_no_figures_at_all_gives_an_empty_legend(app):
    layer = shading(MapQuery(indicator="slum_area_ha", year=None))
    assert layer["legend"] == [] and layer["figures"] == {} and layer["bps"] is False


def test_a_single_class_is_the_worst_colour(app, make_city):
    make_city("74.71", indicators={"year": 2024, "slum_area_ha": 120.0})
    layer = shading(MapQuery(indicator="slum_area_ha", year=2024))
    assert [item["colour"] for item in layer["legend"]] == [SHADES[0]]
    assert layer["figures"]["74.71"]["text"] == "120 ha"


def test_nobody_signed_in_sees_no_programme(app, make_programme):
    make_programme()
    assert programme_lines(None, "wastewater", "all")["lines"] == []
