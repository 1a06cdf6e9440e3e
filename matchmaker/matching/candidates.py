"""Who needs this practice? The cities that would benefit most from a mentor city's practice.

The reverse of a mentor recommendation: the mentor and its practice are fixed, every other
kabupaten/kota is a candidate mentee, whether or not it recorded a need. A candidate ranks by

- gap: how far behind it is on the topic's indicator (BPS figures where there are some),
  measured against every city with a figure, and nothing when it is not behind the mentor;
- context: the matching engine's context factor between the two cities (kind, population,
  density, fiscal capacity, indicators, time zone, place), so the practice can be replicated;
- need: whether the city itself recorded a need on the topic, and how urgent.

Hard rules remove the mentor's own city, every city already in an open programme with the mentor
on the topic, cities already learning the topic from another mentor, and cities that run a
practice on the topic at least as mature as this one. The mentor's capacity is reported, and a
full mentor cannot be proposed. Services flush; callers commit.
"""

from bisect import bisect_left, bisect_right
from datetime import datetime

from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from matchmaker.access import Actor
from matchmaker.cities.figures import NUMERIC_INDICATORS, Figure, figure_values
from matchmaker.cities.models import City, Need, Practice
from matchmaker.cities.services import add_need
from matchmaker.errors import Conflict, NotFound, ValidationError
from matchmaker.extensions import db
from matchmaker.matching.access import ensure_can_match
from matchmaker.matching.cache import CityInfo, current_snapshot
from matchmaker.matching.reasons import context_text, lower_label
from matchmaker.matching.services import check_limit, check_topic, mentor_capacity, mentor_load
from matchmaker.programmes.models import OPEN_STATUSES, Programme
from matchmaker.programmes.services import create_programme
from matchmaker.vocab import MATURITY, PRIORITY, TOPICS

# The indicator that shows a city's need on each topic; KOTAKU topics use the slum area.
TOPIC_INDICATOR = {"wastewater": "sanitation_access_pct", "hygiene_behaviour": "sanitation_access_pct",
                   "drinking_water": "drinking_water_access_pct", "livelihood": "poverty_pct"}
DEFAULT_INDICATOR = "slum_area_ha"
WEIGHTS = {"gap": 0.5, "context": 0.35, "need": 0.15}
FACTORS = tuple(WEIGHTS)
NEUTRAL = 0.5  # a factor whose figures are missing neither helps nor hurts
NEED_SCORES = {"high": 1.0, "medium": 0.7, "low": 0.4}
MATURITY_RANK = {key: rank for rank, key in enumerate(MATURITY)}


def _figure_text(value: float, key: str) -> str:
    spec = NUMERIC_INDICATORS[key]
    return f"{format_decimal(value, '#,##0.##')} {spec.unit}".strip()


class _Standing:
    """Where a value stands among every city's figure: the share of cities doing better."""

    def __init__(self, values: list[float], higher_is_better: bool) -> None:
        self.values, self.higher_is_better = sorted(values), higher_is_better

    def behind(self, value: float) -> float:
        n = len(self.values)
        if self.higher_is_better:
            return (n - bisect_right(self.values, value)) / n
        return bisect_left(self.values, value) / n


def _gap(key: str, figure: Figure | None, mentor_figure: Figure | None, standing: _Standing,
         city: CityInfo, mentor: CityInfo) -> tuple[float, str]:
    spec = NUMERIC_INDICATORS[key]
    label = lower_label(spec.label)
    if figure is None or figure.is_missing:
        return NEUTRAL, _("Angka %(indicator)s %(city)s belum tersedia; faktor ini netral.",
                          indicator=label, city=city.name_short)
    value = figure.value
    shown = _figure_text(value, key)
    cited = f"{shown} ({figure.source or figure.year})"
    if mentor_figure is not None and not mentor_figure.is_missing:
        ahead = mentor_figure.value > value if spec.higher_is_better else mentor_figure.value < value
        mentor_shown = _figure_text(mentor_figure.value, key)
        if not ahead:
            return 0.0, _("%(Indicator)s %(city)s %(value)s sudah setara atau lebih baik dari "
                          "%(mentor)s (%(mentor_value)s).", Indicator=spec.label, city=city.name_short,
                          value=cited, mentor=mentor.name_short, mentor_value=mentor_shown)
    else:
        mentor_shown = _("tidak tercatat")
    behind = standing.behind(value)
    share = format_decimal(round(behind * 100))
    if spec.higher_is_better:
        return behind, _("%(Indicator)s %(city)s %(value)s vs %(mentor)s %(mentor_value)s; "
                         "%(share)s %% kota/kabupaten lebih tinggi.", Indicator=spec.label,
                         city=city.name_short, value=cited, mentor=mentor.name_short,
                         mentor_value=mentor_shown, share=share)
    return behind, _("%(Indicator)s %(city)s %(value)s vs %(mentor)s %(mentor_value)s; "
                     "%(share)s %% kota/kabupaten lebih rendah.", Indicator=spec.label,
                     city=city.name_short, value=cited, mentor=mentor.name_short,
                     mentor_value=mentor_shown, share=share)


def _need(need: Need | None, city: CityInfo, topic: str) -> tuple[float, str]:
    if need is None:
        return 0.0, _("%(city)s belum mencatat kebutuhan tentang %(topic)s; angka dan konteksnya "
                      "yang menunjukkannya.", city=city.name_short, topic=lower_label(TOPICS[topic]))
    return NEED_SCORES.get(need.priority, 0.0), _(
        "%(city)s mencatat kebutuhan \"%(title)s\" (prioritas %(priority)s).", city=city.name_short,
        title=need.title, priority=lower_label(PRIORITY.get(need.priority, need.priority)))


def _exclusions(mentor: City, practice: Practice) -> dict[str, str]:
    """code -> why it is no candidate: open programmes on the topic, or its own practice."""
    topic, topic_name = practice.topic, lower_label(TOPICS[practice.topic])
    out: dict[str, str] = {}
    programmes = db.session.execute(
        select(Programme.mentor_city_id, Programme.mentee_city_id).where(
            Programme.topic == topic, Programme.status.in_(OPEN_STATUSES))).all()
    cities = {c.id: c for c in db.session.scalars(select(City).where(City.id.in_(
        {city_id for row in programmes for city_id in row})))}
    for mentor_id, mentee_id in programmes:
        if mentor.id in (mentor_id, mentee_id):
            other = cities[mentee_id if mentor_id == mentor.id else mentor_id]
            out[other.code] = _("%(city)s sudah dalam program terbuka dengan %(mentor)s tentang "
                                "%(topic)s.", city=other.name_short, mentor=mentor.name_short,
                                topic=topic_name)
    for mentor_id, mentee_id in programmes:
        mentee = cities[mentee_id]
        if mentor.id not in (mentor_id, mentee_id) and mentee.code not in out:
            out[mentee.code] = _("%(city)s sudah belajar %(topic)s dari %(other)s dalam program "
                                 "terbuka.", city=mentee.name_short, topic=topic_name,
                                 other=cities[mentor_id].name_short)
    level = MATURITY_RANK[practice.maturity]
    for own in db.session.scalars(select(Practice).options(joinedload(Practice.city)).where(
            Practice.topic == topic, Practice.city_id != mentor.id, Practice.maturity != "idea")):
        if MATURITY_RANK[own.maturity] >= level and own.city.code not in out:
            out[own.city.code] = _("%(city)s sudah menjalankan praktiknya sendiri: %(title)s (%(maturity)s).",
                                   city=own.city.name_short, title=own.title,
                                   maturity=lower_label(MATURITY[own.maturity]))
    out.pop(mentor.code, None)
    return dict(sorted(out.items()))


def _recorded_needs(topic: str) -> dict[str, Need]:
    """Each city's most urgent recorded need on the topic, by city code."""
    found: dict[str, Need] = {}
    order = {key: i for i, key in enumerate(("high", "medium", "low"))}
    for need in db.session.scalars(select(Need).options(joinedload(Need.city))
                                   .where(Need.topic == topic).order_by(Need.id)):
        held = found.get(need.city.code)
        if held is None or order.get(need.priority, 3) < order.get(held.priority, 3):
            found[need.city.code] = need
    return found


def capacity_of(mentor: City) -> dict:
    """The mentor's open commitments against the capacity setting."""
    load, capacity = mentor_load().get(mentor.id, 0), mentor_capacity()
    return {"open": load, "capacity": capacity, "is_full": load >= capacity}


def rank_candidates(actor: Actor | None, practice: Practice, limit: int | None,
                    now: datetime) -> dict:
    """Rank the cities that would benefit from this practice, with reasons and exclusions."""
    ensure_can_match(actor)
    limit = check_limit(limit)
    mentor, topic = practice.city, practice.topic
    key = TOPIC_INDICATOR.get(topic, DEFAULT_INDICATOR)
    spec = NUMERIC_INDICATORS[key]
    figures = figure_values(key)
    standing = _Standing([f.value for f in figures.values() if not f.is_missing],
                         spec.higher_is_better)
    snapshot = current_snapshot()
    context = snapshot.model.context_similarity(mentor.code)
    mentor_info = snapshot.cities[mentor.code]
    excluded = _exclusions(mentor, practice)
    needs = _recorded_needs(topic)
    rows = []
    for code, info in snapshot.cities.items():
        if code == mentor.code or code in excluded:
            continue
        gap, gap_text = _gap(key, figures.get(code), figures.get(mentor.code), standing, info,
                             mentor_info) if standing.values else (NEUTRAL, "")
        need, need_text = _need(needs.get(code), info, topic)
        factors = {"gap": gap, "context": context[code], "need": need}
        score = sum(WEIGHTS[f] * factors[f] for f in FACTORS)
        rows.append((-score, code, factors, gap_text, need_text))
    rows.sort(key=lambda row: row[:2])
    candidates = []
    for rank, (negative, code, factors, gap_text, need_text) in enumerate(rows[:limit], start=1):
        info, figure = snapshot.cities[code], figures.get(code)
        traits = snapshot.model.similar_traits(code, mentor.code)
        texts = {"gap": gap_text or _("Belum ada angka %(indicator)s untuk kota mana pun.",
                                      indicator=lower_label(spec.label)),
                 "context": context_text(traits, mentor_info, info, snapshot.profiles[mentor.code],
                                         snapshot.profiles[code]),
                 "need": need_text}
        recorded = needs.get(code)
        candidates.append({
            "rank": rank, "code": code, "name": info.name, "score": round(-negative, 3),
            "province": info.province_name, "kind": info.kind,
            "figure": None if figure is None else {"key": key, "value": figure.value,
                                                   "year": figure.year, "source": figure.source},
            "need": None if recorded is None else {"id": recorded.id, "title": recorded.title,
                                                   "priority": recorded.priority},
            "reasons": [{"factor": f, "value": round(factors[f], 3), "text": str(texts[f])}
                        for f in FACTORS]})
    return {
        "practice": {"id": practice.id, "city": mentor.code, "city_name": mentor.name,
                     "title": practice.title, "topic": topic, "maturity": practice.maturity},
        "indicator": {"key": key, "label": str(spec.label)},
        "mentor_capacity": capacity_of(mentor),
        "candidates": candidates,
        "excluded": [{"code": code, "name": snapshot.cities[code].name, "reason": str(reason)}
                     for code, reason in excluded.items()],
    }


def propose_programme(actor: Actor | None, practice: Practice, mentee: City,
                      now: datetime) -> Programme:
    """Propose a programme to a candidate: its own need on the topic, else one recorded on its
    behalf and marked as proposed by this facilitator, then the programme through the usual service."""
    ensure_can_match(actor)
    mentor, topic = practice.city, practice.topic
    if mentee.id == mentor.id:
        raise ValidationError(_("Kota mentor dan kota mentee tidak boleh sama."), field="mentee")
    reason = _exclusions(mentor, practice).get(mentee.code)
    if reason:
        raise Conflict(str(reason), field="mentee")
    if capacity_of(mentor)["is_full"]:
        raise Conflict(_("%(mentor)s sudah penuh kapasitasnya sebagai mentor.",
                         mentor=mentor.name_short))
    need = _recorded_needs(topic).get(mentee.code)
    if need is None:
        with force_locale("id"):  # stored text is in the source language, like the city's own
            title = _("Belajar %(practice)s dari %(mentor)s", practice=practice.title,
                      mentor=mentor.name_short)[:200]
            description = _("Dicatat oleh fasilitator atas nama %(city)s dari daftar \"Siapa yang "
                            "membutuhkan praktik ini?\".", city=mentee.name)
        need = add_need(actor, mentee, {"topic": topic, "title": title, "description": description,
                                        "priority": "medium"}, now)
        need.proposed_by_id = actor.id if actor is not None else None
    return create_programme(actor, mentor, mentee, topic, now, need_id=need.id,
                            practice_id=practice.id)



def practice_of(city: City, topic: str) -> Practice:
    """The city's practice to start from on a topic: the most mature, then the longest running."""
    topic = check_topic(topic)
    practices = [p for p in city.practices if p.topic == topic]
    if not practices:
        raise NotFound(_("%(city)s belum mencatat praktik tentang %(topic)s.", city=city.name,
                         topic=lower_label(TOPICS[topic])))
    return max(practices, key=lambda p: (MATURITY_RANK[p.maturity], -(p.started_year or 9999), -p.id))
