"""Time the importer on a generated file: `python benchmarks/bench_import.py [--records 10000]`.

Runs on a fresh SQLite file (or DATABASE_URL) with the 514 regions loaded; prints a table with
the first import, the repeat import (which must change nothing) and the validation-only time of a
file with one bad record.
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def make_payload(n: int, codes: list[str]) -> dict:
    topics = ["wastewater", "solid_waste", "drinking_water", "drainage", "governance"]
    third = n // 3
    return {
        "cities": [{"code": codes[i % len(codes)], "indicators": {"year": 2000 + i // len(codes),
                   "sanitation_access_pct": 50 + i % 50}} for i in range(third)],
        "practices": [{"city": codes[i % len(codes)], "topic": topics[i % 5], "title": f"Praktik {i}",
                       "description": "Layanan lumpur tinja terjadwal bagi ASN", "maturity": "pilot"}
                      for i in range(third)],
        "needs": [{"city": codes[i % len(codes)], "topic": topics[i % 5], "title": f"Kebutuhan {i}",
                   "priority": "high"} for i in range(n - 2 * third)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite'}")
    os.environ["MATCHMAKER_INSTANCE"] = str(tmp)

    from flask_migrate import upgrade
    from sqlalchemy import select

    from matchmaker import create_app
    from matchmaker.cities.importer import import_profiles, load_regions
    from matchmaker.cities.models import City
    from matchmaker.errors import ValidationError
    from matchmaker.extensions import db
    from matchmaker.timeutils import utcnow

    app = create_app()
    with app.app_context():
        upgrade()
        load_regions()
        db.session.commit()
        codes = list(db.session.scalars(select(City.code)))
        payload = json.loads(json.dumps(make_payload(args.records, codes)))
        rows = []
        start = time.perf_counter()
        counts = import_profiles(payload, utcnow())
        db.session.commit()
        rows.append(("first import", time.perf_counter() - start, counts))
        start = time.perf_counter()
        counts = import_profiles(payload, utcnow())
        db.session.commit()
        rows.append(("repeat import", time.perf_counter() - start, counts))
        payload["practices"][len(payload["practices"]) // 2]["maturity"] = "legendary"
        start = time.perf_counter()
        try:
            import_profiles(payload, utcnow())
        except ValidationError as error:
            counts = {"problems": len(error.errors)}
        db.session.rollback()
        rows.append(("refused (1 bad record)", time.perf_counter() - start, counts))
    print(f"\n{args.records} records on {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}\n")
    print("| run | seconds | records/s | result |\n|---|---:|---:|---|")
    for name, seconds, result in rows:
        print(f"| {name} | {seconds:.2f} | {args.records / seconds:,.0f} | {result} |")


if __name__ == "__main__":
    main()
