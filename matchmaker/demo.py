"""`flask demo`: a demo data set to try the service with, and one account per role."""

import json

import click

from matchmaker.auth import services as auth_services
from matchmaker.cities.importer import DATA_DIR, import_profiles, load_city_figures, load_regions
from matchmaker.extensions import db
from matchmaker.notes.demo import load_notes_demo
from matchmaker.programmes.demo import load_programme_demo
from matchmaker.timeutils import utcnow

DEMO_PASSWORD = "demo-matchmaker"
DEMO_USERS = [
    ("admin@demo.id", "admin", None, "Admin Demo"),
    ("fasilitator@demo.id", "facilitator", None, "Fasilitator PMU"),
    ("pokja.blitar@demo.id", "pokja", "35.72", "Pokja Kota Blitar"),
    ("pokja.kendari@demo.id", "pokja", "74.71", "Pokja Kota Kendari"),
    ("pembaca@demo.id", "viewer", None, "Pembaca Demo"),
]


def load_demo(now=None) -> list[tuple[str, str]]:
    """Load regions, BPS figures, demo profiles and users (idempotent); return (email, role) pairs."""
    now = now or utcnow()
    load_regions()
    load_city_figures(now)
    payload = json.loads((DATA_DIR / "demo_profiles.json").read_text(encoding="utf-8"))
    import_profiles(payload, now)
    accounts = []
    for email, role, city, name in DEMO_USERS:
        user = auth_services.get_user_by_email(email)
        if user is None:
            user = auth_services.create_user(email, role, name, city, DEMO_PASSWORD)
        accounts.append((email, role))
    load_programme_demo(now)
    load_notes_demo(now)
    db.session.flush()
    return accounts


def register_demo_command(app) -> None:
    @app.cli.command("demo")
    def demo_command():
        """Load the demo data set and print the demo sign-ins."""
        accounts = load_demo()
        db.session.commit()
        click.echo("Demo data loaded. Sign in at /login with:")
        for email, role in accounts:
            click.echo(f"  {role:12} {email:26} password: {DEMO_PASSWORD}")
