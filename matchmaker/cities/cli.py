"""`flask load-regions`, `flask import FILE`, `flask export FILE`."""

import logging
import sys
from pathlib import Path

import click

from matchmaker.cities.importer import (
    count_records,
    export_to_path,
    import_prepared,
    load_city_figures,
    load_regions,
    prepare_files,
    read_path,
    reference_figure_count,
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


def describe_problem(path: Path, problem: dict) -> str:
    """One line per problem: the sheet, row and column of a spreadsheet, else the record."""
    if problem.get("sheet") is not None and problem.get("row") is not None:
        place = f"{problem['sheet']} row {problem['row']}"
        if problem.get("column"):
            place += f", column {problem['column']}"
            if problem.get("cell"):
                place += f" ({problem['cell']})"
        return f"{path}: {place}: {problem['message']}"
    if problem.get("sheet"):
        return f"{path}: {problem['sheet']}: {problem['message']}"
    if problem.get("sheet") == "":
        return f"{path}: {problem['message']}"
    return (f"{path}: {problem['section']} record {problem['record']}: "
            f"{problem['field']}: {problem['message']}")


def register_city_commands(app) -> None:
    @app.cli.command("load-regions")
    def load_regions_command():
        """Load or refresh the 514 kabupaten/kota and their BPS figures from the shipped files."""
        counts = run_with_progress("Regions", 514, load_regions)
        figures = run_with_progress("BPS figures", reference_figure_count(),
                                    lambda progress: load_city_figures(utcnow(), progress))
        db.session.commit()
        click.echo("Regions: {created} created, {updated} updated, {unchanged} unchanged"
                   .format(**counts))
        click.echo("Indicator years: {created} created, {updated} updated, {unchanged} unchanged; "
                   "{kept} figures set by users or imports kept".format(**figures))

    @app.cli.command("import")
    @click.argument("path", type=click.Path(path_type=Path))
    def import_command(path: Path):
        """Import indicators, practices and needs (.json, .xlsx, a CSV folder or .zip): all or nothing."""
        try:
            prepared = prepare_files(read_path(path))
            counts = run_with_progress(
                "Importing", count_records(prepared.payload),
                lambda progress: import_prepared(prepared, utcnow(), progress=progress))
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            for problem in error.errors:
                click.echo(describe_problem(path, problem), err=True)
            click.echo(f"Error: {error.message}", err=True)
            log.warning("import of %s refused: %s", path, error.message)
            sys.exit(1)
        click.echo("Imported {created} new, {updated} updated, {unchanged} unchanged records"
                   .format(**counts))

    @app.cli.command("export")
    @click.argument("path", type=click.Path(path_type=Path))
    def export_command(path: Path):
        """Write all profiles: FILE.json, FILE.xlsx, FILE.zip (CSV set) or a folder (CSV set)."""
        try:
            data = export_to_path(path)
        except (ValidationError, OSError) as error:
            click.echo(f"Error: {getattr(error, 'message', error)}", err=True)
            sys.exit(1)
        click.echo(f"Exported {len(data['cities'])} indicator sets, {len(data['practices'])} "
                   f"practices, {len(data['needs'])} needs to {path}")
