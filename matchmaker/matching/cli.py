"""Command line of the matching package: `recommend` and `cohort`."""

import json

import click
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from matchmaker.access import OPERATOR
from matchmaker.auth.models import User
from matchmaker.cities.models import City
from matchmaker.errors import MatchmakerError
from matchmaker.extensions import db
from matchmaker.matching import services
from matchmaker.timeutils import utcnow
from matchmaker.vocab import TOPICS

FACTOR_LABELS = {"relevance": "relevance", "maturity": "maturity", "context": "context",
                 "complementarity": "complement"}


def _city(code: str) -> City:
    city = db.session.scalar(select(City).where(City.code == code))
    if city is None:
        raise click.ClickException(f"Unknown city code {code!r} (use a Kemendagri code like 35.72)")
    return city


def _print_table(result: dict) -> None:
    mentee = result["mentee"]
    click.echo(f"Mentors for {mentee['name']} ({mentee['code']}) on {result['topic']}")
    need = " ".join(result["need_text"].split())
    click.echo(f"Matched against: {need[:200]}{'…' if len(need) > 200 else ''}")
    if not result["recommendations"]:
        click.echo("No city has recorded a practice on that topic yet.")
    for item in result["recommendations"]:
        practice = item["practice"]
        since = f", since {practice['started_year']}" if practice["started_year"] else ""
        click.echo(f"\n{item['rank']:>2}. {item['name']} ({item['code']})  score {item['score']:.3f}")
        click.echo(f"    practice: {practice['title']} [{practice['maturity']}{since}]")
        for reason in item["reasons"]:
            label = FACTOR_LABELS.get(reason["factor"], reason["factor"])
            click.echo(f"    {label:<11} {reason['value']:.2f}  {reason['text']}")
    if result["excluded"]:
        click.echo("\nExcluded:")
        for item in result["excluded"]:
            click.echo(f"  {item['name']} ({item['code']}): {item['reason']}")


def register_matching_commands(app) -> None:
    """Add the matching commands to the app's CLI."""

    @app.cli.command("recommend")
    @click.argument("code")
    @click.option("--topic", required=True, help="Topic key, e.g. wastewater.")
    @click.option("--limit", default=services.DEFAULT_LIMIT, show_default=True, type=int)
    @click.option("--text", default=None, help="Need text (default: the city's needs on the topic).")
    @click.option("--json", "as_json", is_flag=True, help="Print the JSON result of the API.")
    def recommend(code: str, topic: str, limit: int, text: str | None, as_json: bool):
        """Mentor recommendations for mentee city CODE on a topic."""
        if topic not in TOPICS:
            raise click.BadParameter(f"unknown topic {topic!r}; use one of {', '.join(TOPICS)}",
                                     param_hint="--topic")
        mentee = _city(code)
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                result = services.recommend_mentors(OPERATOR, mentee, topic, text, limit, utcnow())
            except MatchmakerError as error:
                raise click.ClickException(error.message) from None
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            _print_table(result)

    @app.cli.command("cohort")
    @click.option("--topic", default="", help="Only needs on this topic.")
    @click.option("--province", default="", help="Only needs of cities in this province code.")
    @click.option("--priority", default="", help="Only needs of this priority.")
    @click.option("--as-user", "email", required=True, help="Facilitator e-mail running the cohort.")
    @click.option("--json", "as_json", is_flag=True)
    def cohort(topic: str, province: str, priority: str, email: str, as_json: bool):
        """Propose mentor pairs for every matching need, maximising the total score."""
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"Unknown user {email!r}")
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                needs = services.cohort_needs(user, services.CohortFilters(topic, province, priority))
                click.echo(f"Pairing {len(needs)} needs...", err=True)
                result = services.run_cohort(user, [n.id for n in needs], utcnow())
            except MatchmakerError as error:
                raise click.ClickException(error.message) from None
        if as_json:
            click.echo(json.dumps({
                "total": result["total"], "greedy_total": result["greedy_total"],
                "pairs": [{"need_id": p["need"].id, "mentee": p["mentee"].code,
                           "mentor": p["mentor"].code, "score": p["score"],
                           "practice": p["candidate"]["practice"]["title"]} for p in result["pairs"]],
                "unpaired": [{"need_id": u["need"].id, "mentee": u["mentee"].code,
                              "reason": u["reason_key"]} for u in result["unpaired"]],
            }, ensure_ascii=False, indent=2))
            return
        for p in result["pairs"]:
            click.echo(f"{p['mentee'].name} <- {p['mentor'].name}  {p['score']:.3f}  "
                       f"[{p['need'].topic}] {p['need'].title}")
        for u in result["unpaired"]:
            click.echo(f"unpaired: {u['mentee'].name} [{u['need'].topic}] {u['need'].title}: "
                       f"{u['reason']}")
        click.echo(f"total {result['total']:.3f} (greedy {result['greedy_total']:.3f})")
