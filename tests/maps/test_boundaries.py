"""The shipped boundary files: complete, compressed as served, one feature per city."""

import gzip
import json

from matchmaker.cities.importer import region_codes
from matchmaker.maps.boundaries import boundaries, city_feature


def test_every_registry_city_and_province_has_a_boundary(app):
    kabkota = json.loads(boundaries("kabkota").plain)
    provinces = json.loads(gzip.decompress(boundaries("provinces").gzipped))
    codes = {f["properties"]["code"] for f in kabkota["features"]}
    assert codes == {code for code, _name in region_codes()} and len(codes) == 514
    assert len(provinces["features"]) == 38


def test_the_etag_is_the_hash_of_the_stored_bytes():
    first, second = boundaries("kabkota"), boundaries("provinces")
    assert len(first.etag) == 32 and first.etag != second.etag


def test_one_city_feature():
    feature = json.loads(city_feature("35.72"))
    assert feature["type"] == "Feature" and feature["properties"]["name"] == "Kota Blitar"
    assert city_feature("99.99") is None
