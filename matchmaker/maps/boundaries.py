"""The shipped boundaries of the 514 kabupaten/kota and 38 provinces (data/geo, gzip-compressed).

The files are kept compressed as they are served: a browser that accepts gzip gets the bytes as
they are on disk, with a content hash as ETag; others get them decompressed once.
"""

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
LAYERS = {"kabkota": "kabkota.geojson.gz", "provinces": "provinces.geojson.gz"}


@dataclass(frozen=True)
class Boundaries:
    gzipped: bytes
    etag: str

    @property
    def plain(self) -> bytes:
        return gzip.decompress(self.gzipped)


@cache
def boundaries(layer: str) -> Boundaries:
    """One boundary layer as stored (gzip), with the hash of those bytes."""
    data = (GEO_DIR / LAYERS[layer]).read_bytes()
    return Boundaries(data, hashlib.sha256(data).hexdigest()[:32])


@cache
def _kabkota_features() -> dict[str, str]:
    """Each kab/kota's GeoJSON feature by code (the file holds one feature per line)."""
    features = {}
    for line in boundaries("kabkota").plain.decode("utf-8").splitlines():
        line = line.strip().rstrip(",")
        if line.startswith('{"type":"Feature"'):
            features[json.loads(line)["properties"]["code"]] = line
    return features


def city_feature(code: str) -> str | None:
    """One kab/kota's boundary as a GeoJSON Feature (text), or None for an unknown code."""
    return _kabkota_features().get(code)
