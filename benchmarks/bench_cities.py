"""Time the city figures, the list by the numbers and the spreadsheets: `python benchmarks/bench_cities.py`.

Runs on a fresh SQLite file (or DATABASE_URL): loads the 514 regions and their BPS figures
(first and repeat run), times list queries (sorted by an indicator, with ranges and the open-
programme filter) with the number of SQL statements each takes, and an XLSX round trip of
`--records` practices (write, read, refuse one bad cell, import, re-import).
"""

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite'}")
    os.environ["MATCHMAKER_INSTANCE"] = str(tmp)

    from flask_migrate import upgrade
    from sqlalchemy import event

    from matchmaker import create_app
    from matchmaker.cities import services, tabular
    from matchmaker.cities.importer import (
        import_prepared,
        load_city_figures,
        load_regions,
        prepare_files,
        region_codes,
    )
    from matchmaker.cities.services import CityFilters
    from matchmaker.errors import ValidationError
    from matchmaker.extensions import db
    from matchmaker.timeutils import utcnow

    app = create_app()
    rows = []

    def timed(name: str, work, count_sql: bool = False):
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        if count_sql:
            event.listen(db.engine, "before_cursor_execute", listener)
        start = time.perf_counter()
        try:
            result = work()
        finally:
            if count_sql:
                event.remove(db.engine, "before_cursor_execute", listener)
        rows.append((name, time.perf_counter() - start, len(statements) if count_sql else "", result))
        return result

    def show_page(filters) -> str:
        """One page of 100 as the list renders it: each row's practices, needs and figures."""
        items = services.list_page(filters, 1, 100).items
        return f"{len([(c.practices, c.needs, c.indicators) for c in items])} rows"

    with app.app_context():
        upgrade()
        load_regions()
        db.session.commit()
        timed("load BPS figures (first)", lambda: load_city_figures(utcnow()))
        db.session.commit()
        timed("load BPS figures (repeat)", lambda: load_city_figures(utcnow()))
        db.session.commit()
        for label, filters in (
                ("list page: sort by sanitation", CityFilters(sort="sanitation_access_pct")),
                ("list page: NTT kabupaten, lowest sanitation, no open programme",
                 CityFilters(province="53", kind="kabupaten", sort="sanitation_access_pct",
                             no_programme_topic="wastewater")),
                ("list page: HDI >= 75, poverty <= 10, 2024, by HDI desc",
                 CityFilters(year=2024, sort="hdi", order="desc",
                             ranges={"hdi": (75.0, None), "poverty_pct": (None, 10.0)}))):
            db.session.expire_all()
            timed(label, lambda f=filters: show_page(f), count_sql=True)
        db.session.expire_all()
        timed("all 514 for export", lambda: len(services.search_cities(CityFilters(sort="hdi"))),
              count_sql=True)

        codes = [code for code, _name in region_codes()]
        records = [{"city": codes[i % len(codes)], "topic": "wastewater", "title": f"Praktik {i}",
                    "description": "Layanan lumpur tinja terjadwal bagi ASN", "maturity": "pilot"}
                   for i in range(args.records)]
        data = timed("write XLSX", lambda: tabular.write_xlsx({"practices": records}, region_codes()))
        records[args.records // 2]["maturity"] = "legendary"
        bad = tabular.write_xlsx({"practices": records}, region_codes())

        def refuse():
            try:
                import_prepared(prepare_files([("bad.xlsx", bad)]), utcnow())
            except ValidationError as error:
                db.session.rollback()
                return [p.get("cell") for p in error.errors]

        timed("refuse XLSX with 1 bad cell", refuse)
        timed("import XLSX", lambda: import_prepared(prepare_files([("ok.xlsx", data)]), utcnow()))
        db.session.commit()
        timed("re-import XLSX", lambda: import_prepared(prepare_files([("ok.xlsx", data)]), utcnow()))
    print(f"\n{args.records} practices; {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}\n")
    print("| run | seconds | SQL statements | result |\n|---|---:|---:|---|")
    for name, seconds, statements, result in rows:
        shown = f"{len(result)} bytes" if isinstance(result, bytes) else result
        print(f"| {name} | {seconds:.3f} | {statements} | {shown} |")


if __name__ == "__main__":
    main()
