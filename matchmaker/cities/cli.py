"""`flask load-regions`, `flask import FILE`, `flask export FILE`."""

import json
import logging
import sys
from pathlib import Path

import click

from matchmaker.cities.importer import (
    count_records,
    export_profiles,
    import_profiles,
    load_regions,
    read_import_file,
)
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow

log = logging.getLogger(__name__)


def run_with_progress(label: str, length: int, work):
    """Run work(progress) with a progress bar on a terminal and quietly elsewhere."""
    if sys.stderr.isatty():
        with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
            return work(bar.update)
    return work(lambda _n: None)


def register_city_commands(app) -> None:
    @app.cli.command("load-regions")
    def load_regions_command():
        """Load or refresh the 514 kabupaten/kota from the shipped reference file."""
        counts = run_with_progress("Regions", 514, load_regions)
        db.session.commit()
        click.echo("Regions: {created} created, {updated} updated, {unchanged} unchanged"
                   .format(**counts))

    @app.cli.command("import")
    @click.argument("path", type=click.Path(path_type=Path))
    def import_command(path: Path):
        """Import indicators, practices and needs from a JSON file: all or nothing."""
        try:
            payload = read_import_file(path)
            counts = run_with_progress(
                "Importing", count_records(payload),
                lambda progress: import_profiles(payload, utcnow(), progress=progress))
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            for problem in error.errors:
                click.echo(f"{path}: {problem['section']} record {problem['record']}: "
                           f"{problem['field']}: {problem['message']}", err=True)
            click.echo(f"Error: {error.message}", err=True)
            log.warning("import of %s refused: %s", path, error.message)
            sys.exit(1)
        click.echo("Imported {created} new, {updated} updated, {unchanged} unchanged records"
                   .format(**counts))

    @app.cli.command("export")
    @click.argument("path", type=click.Path(path_type=Path))
    def export_command(path: Path):
        """Write all indicators, practices and needs in the import format."""
        data = export_profiles()
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        click.echo(f"Exported {len(data['cities'])} indicator sets, {len(data['practices'])} "
                   f"practices, {len(data['needs'])} needs to {path}")
