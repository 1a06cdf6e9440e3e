"""Use cases of matching: mentor recommendations with reasons, and cohort pairing.

Services flush; callers commit. The fitted model comes from matching.cache, so no
request refits it unless the data changed.
"""

import re
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from matchmaker.auth.models import User
from matchmaker.auth.services import ensure_facilitator
from matchmaker.cities.models import City, Need
from matchmaker.errors import Conflict, NotFound, ValidationError
from matchmaker.extensions import db
from matchmaker.matching.cache import CityInfo, Snapshot, current_snapshot
from matchmaker.matching.engine import (
    COMPLEMENT_INDICATOR,
    DEFAULT_COMPLEMENT_INDICATOR,
    FACTORS,
    Candidate,
    CityProfile,
    NeedDoc,
)
from matchmaker.matching.models import CohortProposal, ProposalStatus
from matchmaker.programmes.models import OPEN_STATUSES, Programme
from matchmaker.programmes.services import create_programme
from matchmaker.timeutils import utcnow, zone_label
from matchmaker.vocab import FISCAL_CAPACITY, KINDS, MATURITY, PRIORITY, TOPICS

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
COULD_MENTOR_SCAN = 300  # needs examined for "cities this city could mentor"
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}
MAX_TERMS = 4  # matched words quoted in a reason
_WORD = re.compile(r"[A-Za-z0-9]+")


# ---------------------------------------------------------------- input checks

def check_topic(topic: str | None) -> str:
    if not topic:
        raise ValidationError("topic is required: one of " + ", ".join(TOPICS), field="topic")
    if topic not in TOPICS:
        raise ValidationError(f"Unknown topic {topic!r}: use one of " + ", ".join(TOPICS),
                              field="topic")
    return topic


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be a whole number between 1 and {MAX_LIMIT}",
                              field="limit")
    return limit


def mentor_capacity() -> int:
    return int(current_app.config["MENTOR_CAPACITY"])


# ---------------------------------------------------------------- load and exclusions

def mentor_load() -> dict[int, int]:
    """Open commitments per mentor city id: open programmes plus accepted, unconverted proposals."""
    load: dict[int, int] = {}
    for city_id, count in db.session.execute(
            select(Programme.mentor_city_id, func.count(Programme.id))
            .where(Programme.status.in_(OPEN_STATUSES)).group_by(Programme.mentor_city_id)):
        load[city_id] = load.get(city_id, 0) + count
    for city_id, count in db.session.execute(
            select(CohortProposal.mentor_city_id, func.count(CohortProposal.id))
            .where(CohortProposal.status == ProposalStatus.ACCEPTED,
                   CohortProposal.programme_id.is_(None))
            .group_by(CohortProposal.mentor_city_id)):
        load[city_id] = load.get(city_id, 0) + count
    return load


def _open_partners(mentee_id: int, topic: str) -> set[int]:
    """Mentor city ids already in an open programme with this mentee on this topic."""
    return set(db.session.scalars(
        select(Programme.mentor_city_id).where(Programme.mentee_city_id == mentee_id,
                                               Programme.topic == topic,
                                               Programme.status.in_(OPEN_STATUSES))))


def _exclusions(snapshot: Snapshot, mentee: City, topic: str) -> dict[str, tuple[str, str]]:
    """code -> (reason key, reason text) for candidate mentors that hard rules remove."""
    capacity = mentor_capacity()
    load = mentor_load()
    partners = _open_partners(mentee.id, topic)
    out = {}
    for code in sorted(snapshot.topic_cities.get(topic, set()) - {mentee.code}):
        info = snapshot.cities[code]
        if info.id in partners:
            out[code] = ("open_programme", _(
                "%(mentor)s sudah dalam program terbuka dengan %(mentee)s tentang %(topic)s.",
                mentor=info.name_short, mentee=mentee.name_short, topic=TOPICS[topic]))
        elif load.get(info.id, 0) >= capacity:
            out[code] = ("capacity", _(
                "%(mentor)s sudah membimbing %(n)d program terbuka (kapasitas %(capacity)d).",
                mentor=info.name_short, n=load[info.id], capacity=capacity))
    return out


# ---------------------------------------------------------------- explanations

def _lower(label) -> str:
    return str(label).lower()


def _people(n: float) -> tuple[str, str]:
    """(number, unit) rounded to two significant digits: (1,2, 'juta') or (160, 'ribu')."""
    if n >= 1_000_000:
        return format_decimal(round(n / 1_000_000, 1)), _("juta")
    thousands = n / 1000
    if thousands >= 100:
        thousands = round(thousands, -1)
    return format_decimal(round(thousands)), _("ribu")


def population_range(a: int | None, b: int | None) -> str:
    """'160–370 ribu jiwa' for two populations."""
    if not a or not b:
        return ""
    (lo, lo_unit), (hi, hi_unit) = _people(min(a, b)), _people(max(a, b))
    if lo == hi and lo_unit == hi_unit:
        return _("sekitar %(n)s %(unit)s jiwa", n=lo, unit=lo_unit)
    if lo_unit == hi_unit:
        return _("%(lo)s–%(hi)s %(unit)s jiwa", lo=lo, hi=hi, unit=hi_unit)
    return _("%(lo)s %(lo_unit)s–%(hi)s %(hi_unit)s jiwa", lo=lo, lo_unit=lo_unit, hi=hi,
             hi_unit=hi_unit)


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return format_decimal(round(value, digits) if digits else round(value))


def surface_terms(terms: list[str], need_text: str) -> list[str]:
    """Give matched words the spelling the need used ('ASN', 'IPLT'), not the lower-cased one."""
    spelled: dict[str, str] = {}
    for word in _WORD.findall(need_text):
        spelled.setdefault(word.lower(), word)
    return [spelled.get(t, t) for t in terms]


def _relevance_text(c: Candidate, mentor: CityInfo, mentee: City, practice) -> str:
    status = _lower(MATURITY.get(practice.maturity, practice.maturity))
    if practice.started_year:
        status = _("%(maturity)s, sejak %(year)s", maturity=status, year=practice.started_year)
    planned = practice.maturity == "idea"
    if c.matched_terms:
        terms = ", ".join(f"'{t}'" for t in c.matched_terms[:MAX_TERMS])
        if planned:
            return _("%(mentor)s merencanakan %(practice)s (%(status)s), yang cocok dengan %(terms)s "
                     "dalam kebutuhan %(mentee)s.", mentor=mentor.name_short,
                     practice=practice.title, status=status, terms=terms, mentee=mentee.name_short)
        return _("%(mentor)s menjalankan %(practice)s (%(status)s), yang cocok dengan %(terms)s "
                 "dalam kebutuhan %(mentee)s.", mentor=mentor.name_short, practice=practice.title,
                 status=status, terms=terms, mentee=mentee.name_short)
    if planned:
        return _("%(mentor)s merencanakan %(practice)s (%(status)s); uraiannya hampir tidak memakai "
                 "kata yang sama dengan kebutuhan %(mentee)s.", mentor=mentor.name_short,
                 practice=practice.title, status=status, mentee=mentee.name_short)
    return _("%(mentor)s menjalankan %(practice)s (%(status)s); uraiannya hampir tidak memakai kata "
             "yang sama dengan kebutuhan %(mentee)s.", mentor=mentor.name_short,
             practice=practice.title, status=status, mentee=mentee.name_short)


def _maturity_text(practice, now: datetime) -> str:
    label = _lower(MATURITY.get(practice.maturity, practice.maturity))
    if practice.maturity == "idea":
        return _("Baru berupa gagasan: praktik ini belum berjalan.")
    if practice.started_year:
        years = now.year - practice.started_year
        if years >= 1:
            return _("Praktik ini berstatus %(maturity)s dan sudah berjalan %(years)d tahun "
                     "(sejak %(year)s).", maturity=label, years=years, year=practice.started_year)
        return _("Praktik ini berstatus %(maturity)s, mulai %(year)s.", maturity=label,
                 year=practice.started_year)
    return _("Praktik ini berstatus %(maturity)s.", maturity=label)


def _context_text(c: Candidate, mentor: CityInfo, mentee: City, mp: CityProfile,
                  ep: CityProfile) -> str:
    traits = set(c.similar_traits)
    parts = []
    people = population_range(mp.population, ep.population)
    if "same_kind" in traits:
        kind = _lower(KINDS.get(mentee.kind, mentee.kind))
        if "similar_population" in traits and people:
            parts.append(_("keduanya %(kind)s berpenduduk %(range)s", kind=kind, range=people))
        else:
            parts.append(_("keduanya %(kind)s", kind=kind))
    else:
        parts.append(_("%(mentor)s adalah %(a)s, %(mentee)s %(b)s", mentor=mentor.name_short,
                       a=_lower(KINDS.get(mentor.kind, mentor.kind)), mentee=mentee.name_short,
                       b=_lower(KINDS.get(mentee.kind, mentee.kind))))
        if "similar_population" in traits and people:
            parts.append(_("penduduk sebanding (%(range)s)", range=people))
    if "similar_population" not in traits and people:
        parts.append(_("skala penduduk berbeda (%(range)s)", range=people))
    if "similar_density" in traits:
        parts.append(_("kepadatan sebanding"))
    if "similar_fiscal" in traits and mp.fiscal_capacity and ep.fiscal_capacity:
        parts.append(_("kapasitas fiskal sebanding (%(a)s / %(b)s)",
                       a=_lower(FISCAL_CAPACITY[mp.fiscal_capacity]),
                       b=_lower(FISCAL_CAPACITY[ep.fiscal_capacity])))
    if "same_timezone" in traits:
        parts.append(_("zona waktu sama (%(zone)s)", zone=zone_label(mentee.timezone)))
    else:
        parts.append(_("beda zona waktu (%(a)s / %(b)s)", a=zone_label(mentor.timezone),
                       b=zone_label(mentee.timezone)))
    if "same_province" in traits:
        parts.append(_("satu provinsi (%(province)s)", province=mentee.province_name))
    text = "; ".join(str(p) for p in parts)
    return text[:1].upper() + text[1:] + "."


def _complement_text(topic: str, mentor: CityInfo, mentee: City, mp: CityProfile,
                     ep: CityProfile) -> str:
    indicator = COMPLEMENT_INDICATOR.get(topic, DEFAULT_COMPLEMENT_INDICATOR)
    if indicator == "sanitation":
        a, b, label = mp.sanitation_access_pct, ep.sanitation_access_pct, _("akses sanitasi layak")
    elif indicator == "water":
        a, b, label = (mp.drinking_water_access_pct, ep.drinking_water_access_pct,
                       _("akses air minum layak"))
    else:
        a, b, label = mp.slum_area_ha, ep.slum_area_ha, _("luas kumuh")
    if a is None or b is None:
        return _("Data %(indicator)s %(mentor)s atau %(mentee)s belum tercatat; faktor ini netral.",
                 indicator=label, mentor=mentor.name_short, mentee=mentee.name_short)
    if indicator == "slum":
        return _("Luas kumuh %(mentor)s %(a)s ha vs %(mentee)s %(b)s ha.", mentor=mentor.name_short,
                 a=_number(a), mentee=mentee.name_short, b=_number(b))
    text = _("%(indicator)s %(mentor)s %(a)s %% vs %(mentee)s %(b)s %%.", indicator=label,
             mentor=mentor.name_short, a=_number(a, 1), mentee=mentee.name_short, b=_number(b, 1))
    return text[:1].upper() + text[1:]


def explain(snapshot: Snapshot, c: Candidate, mentee: City, topic: str, now: datetime,
            need_text: str = "") -> list[dict]:
    """One reason per factor, in the sector's words, with the factor's score."""
    mentor = snapshot.cities[c.code]
    practice = snapshot.practices[c.practice_id]
    mp, ep = snapshot.profiles[c.code], snapshot.profiles[mentee.code]
    if need_text:
        c = replace(c, matched_terms=surface_terms(c.matched_terms, need_text))
    texts = {
        "relevance": _relevance_text(c, mentor, mentee, practice),
        "maturity": _maturity_text(practice, now),
        "context": _context_text(c, mentor, mentee, mp, ep),
        "complementarity": _complement_text(topic, mentor, mentee, mp, ep),
    }
    return [{"factor": f, "value": round(c.factors[f], 3), "text": str(texts[f])} for f in FACTORS]


def _candidate_dict(snapshot: Snapshot, rank: int, c: Candidate, mentee: City, topic: str,
                    now: datetime, need_text: str = "") -> dict:
    mentor = snapshot.cities[c.code]
    practice = snapshot.practices[c.practice_id]
    return {
        "rank": rank, "code": c.code, "name": mentor.name, "score": round(c.score, 3),
        "practice": {"id": practice.id, "title": practice.title, "maturity": practice.maturity,
                     "started_year": practice.started_year},
        "factors": {f: round(c.factors[f], 3) for f in FACTORS},
        "matched_terms": surface_terms(c.matched_terms, need_text),
        "similar_traits": list(c.similar_traits),
        "reasons": explain(snapshot, c, mentee, topic, now, need_text),
    }


# ---------------------------------------------------------------- recommendations

def default_need_text(mentee: City, topic: str) -> str:
    """The mentee's recorded needs on the topic, else the topic's (Indonesian) name."""
    needs = db.session.scalars(select(Need).where(Need.city_id == mentee.id, Need.topic == topic)
                               .order_by(Need.id)).all()
    if needs:
        return "\n".join(f"{n.title}\n{n.description or ''}" for n in needs)
    with force_locale("id"):
        return str(TOPICS[topic])


def recommend_mentors(mentee: City, topic: str, need_text: str | None = None,
                      limit: int | None = DEFAULT_LIMIT, now: datetime | None = None) -> dict:
    """Rank mentor cities for a mentee on a topic, with reasons and the cities rules exclude."""
    topic = check_topic(topic)
    limit = check_limit(limit)
    now = now or utcnow()
    text = (need_text or "").strip() or default_need_text(mentee, topic)
    snapshot = current_snapshot()
    excluded = _exclusions(snapshot, mentee, topic)
    if mentee.code not in snapshot.profiles:
        raise NotFound(f"City {mentee.code} is not in the registry")
    candidates = snapshot.model.recommend(mentee.code, topic, text, limit=limit,
                                          exclude=frozenset(excluded))
    return {
        "mentee": {"code": mentee.code, "name": mentee.name},
        "topic": topic,
        "need_text": text,
        "recommendations": [_candidate_dict(snapshot, i, c, mentee, topic, now, text)
                            for i, c in enumerate(candidates, start=1)],
        "excluded": [{"code": code, "name": snapshot.cities[code].name, "reason": text_,
                      "reason_key": key} for code, (key, text_) in excluded.items()],
    }


def recommend_for_need(need: Need, limit: int | None = DEFAULT_LIMIT,
                       now: datetime | None = None) -> dict:
    """Recommendations for one recorded need: its city, topic and text."""
    result = recommend_mentors(need.city, need.topic, f"{need.title}\n{need.description or ''}",
                               limit, now)
    result["need"] = {"id": need.id, "title": need.title}
    return result


def _need_doc(need: Need) -> NeedDoc:
    return NeedDoc(id=need.id, city_code=need.city.code, topic=need.topic, title=need.title,
                   description=need.description or "", priority=need.priority)


def could_mentor(city: City, limit: int = 10) -> list[dict]:
    """Needs of other cities that this city's practices answer, where it ranks best first."""
    snapshot = current_snapshot()
    key = ("could_mentor", city.code)
    if key not in snapshot.memo:  # once per data version; a race only computes it twice
        snapshot.memo[key] = _could_mentor_rows(snapshot, city)
    rows = snapshot.memo[key][:limit]
    needs = {n.id: n for n in db.session.scalars(select(Need).where(
        Need.id.in_([row[0] for row in rows])))}
    return [{"need": needs[need_id], "mentee": needs[need_id].city, "rank": rank, "of": of,
             "score": score, "practice": snapshot.practices[practice_id]}
            for need_id, rank, of, score, practice_id in rows if need_id in needs]


def _could_mentor_rows(snapshot: Snapshot, city: City) -> list[tuple]:
    topics = sorted(t for t, codes in snapshot.topic_cities.items() if city.code in codes)
    if not topics:
        return []
    needs = db.session.scalars(
        select(Need).where(Need.topic.in_(topics), Need.city_id != city.id)
        .order_by(Need.updated_at.desc(), Need.id.desc()).limit(COULD_MENTOR_SCAN)).all()
    found = []
    for need in needs:
        candidates = snapshot.model.score_need(_need_doc(need))
        for rank, c in enumerate(candidates, start=1):
            if c.code == city.code:
                found.append((PRIORITY_ORDER.get(need.priority, 3),
                               (need.id, rank, len(candidates), round(c.score, 3), c.practice_id)))
                break
    found.sort(key=lambda f: (f[1][1], -f[1][3], f[0], f[1][0]))
    return [row for _priority, row in found]


# ---------------------------------------------------------------- cohort pairing

@dataclass
class CohortFilters:
    topic: str = ""
    province: str = ""
    priority: str = ""


def cohort_needs(filters: CohortFilters) -> list[Need]:
    """Needs a facilitator can put into a cohort, filtered by topic, province and priority."""
    stmt = select(Need).join(City, City.id == Need.city_id).order_by(Need.topic, City.code, Need.id)
    if filters.topic:
        stmt = stmt.where(Need.topic == check_topic(filters.topic))
    if filters.province:
        stmt = stmt.where(City.province_code == filters.province)
    if filters.priority:
        if filters.priority not in PRIORITY:
            raise ValidationError(f"Unknown priority {filters.priority!r}", field="priority")
        stmt = stmt.where(Need.priority == filters.priority)
    return list(db.session.scalars(stmt))


def proposed_need_ids() -> set[int]:
    """Needs that already have an accepted proposal."""
    return set(db.session.scalars(select(CohortProposal.need_id).where(
        CohortProposal.status == ProposalStatus.ACCEPTED)))


def _unpaired_text(reason: str) -> str:
    return {
        "no_practice": _("Belum ada kota yang mencatat praktik tentang topik ini."),
        "below_min_score": _("Tidak ada mentor dengan skor yang cukup."),
        "duplicate_topic": _("Kota ini sudah mendapat mentor untuk topik yang sama lewat kebutuhan "
                             "lain."),
        "capacity": _("Semua mentor yang cocok sudah penuh kapasitasnya."),
        "already_proposed": _("Kebutuhan ini sudah punya usulan mentor yang diterima."),
        "open_programme": _("Kota ini sudah dalam program terbuka tentang topik ini."),
    }.get(reason, reason)


def run_cohort(actor: User | None, need_ids: list[int], now: datetime,
               min_score: float = 0.0) -> dict:
    """Pair the chosen needs with mentors, maximising the total score under mentor capacity."""
    ensure_facilitator(actor)
    chosen = db.session.scalars(select(Need).where(Need.id.in_(set(need_ids))).order_by(Need.id)).all()
    # A need already proposed, or whose city already learns this topic in an open programme,
    # is set aside: pairing it again would double-book a mentor or repeat a programme.
    proposed = proposed_need_ids()
    served = {(city_id, topic) for city_id, topic in db.session.execute(
        select(Programme.mentee_city_id, Programme.topic).where(Programme.status.in_(OPEN_STATUSES)))}
    held = [(n, "already_proposed" if n.id in proposed else "open_programme") for n in chosen
            if n.id in proposed or (n.city_id, n.topic) in served]
    needs = [n for n in chosen if n.id not in {h.id for h, _key in held}]
    snapshot = current_snapshot()
    capacity = mentor_capacity()
    load = mentor_load()
    by_id = {info.id: code for code, info in snapshot.cities.items()}
    slots = {by_id[city_id]: max(capacity - n, 0) for city_id, n in load.items() if city_id in by_id}
    docs = [_need_doc(n) for n in needs]
    result = snapshot.model.assign_cohort(docs, slots, default_capacity=capacity,
                                          min_score=min_score)
    need_by_id = {n.id: n for n in needs}
    pairs = []
    for doc, c in result.pairs:
        need = need_by_id[doc.id]
        pairs.append({"need": need, "mentee": need.city, "mentor": snapshot.cities[c.code],
                      "candidate": _candidate_dict(snapshot, 1, c, need.city, need.topic, now,
                                                  f"{need.title}\n{need.description or ''}"),
                      "score": round(c.score, 3)})
    unpaired = [{"need": need, "mentee": need.city, "reason_key": key, "reason": _unpaired_text(key)}
                for need, key in held + [(need_by_id[doc.id], key) for doc, key in result.unpaired]]
    return {"pairs": pairs, "unpaired": unpaired, "total": round(result.total, 3),
            "greedy_total": round(result.greedy_total, 3), "capacity": capacity,
            "slots": slots}


def accept_pair(actor: User | None, need_id: int, mentor_code: str, now: datetime) -> CohortProposal:
    """Keep one (need, mentor) pair as an accepted proposal, re-scored on current data."""
    ensure_facilitator(actor)
    need = db.session.get(Need, need_id)
    if need is None:
        raise NotFound(_("Kebutuhan tidak ditemukan."))
    mentor = db.session.scalar(select(City).where(City.code == mentor_code))
    if mentor is None:
        raise NotFound(_("Kota/kabupaten dengan kode %(code)s tidak ada.", code=mentor_code))
    if db.session.scalar(select(CohortProposal.id).where(
            CohortProposal.need_id == need.id, CohortProposal.status == ProposalStatus.ACCEPTED)):
        raise Conflict(_("Kebutuhan \"%(need)s\" sudah punya usulan mentor.", need=need.title))
    snapshot = current_snapshot()
    candidate = next((c for c in snapshot.model.score_need(_need_doc(need))
                      if c.code == mentor.code), None)
    if candidate is None:
        raise ValidationError(_("%(mentor)s tidak punya praktik tentang %(topic)s.",
                                mentor=mentor.name, topic=TOPICS[need.topic]))
    if mentor.id in _open_partners(need.city_id, need.topic):
        raise Conflict(_("%(mentor)s sudah dalam program terbuka dengan %(mentee)s tentang "
                         "%(topic)s.", mentor=mentor.name_short, mentee=need.city.name_short,
                         topic=TOPICS[need.topic]))
    if mentor_load().get(mentor.id, 0) >= mentor_capacity():
        raise Conflict(_("%(mentor)s sudah penuh kapasitasnya sebagai mentor.",
                         mentor=mentor.name_short))
    # An accepted pair becomes a proposed programme at once; each city's Pokja then answers it.
    programme = create_programme(actor, mentor, need.city, need.topic, now, need_id=need.id,
                                 practice_id=candidate.practice_id)
    proposal = CohortProposal(need=need, mentor=mentor, practice_id=candidate.practice_id,
                              score=round(candidate.score, 3), status=ProposalStatus.ACCEPTED,
                              created_by=actor, created_at=now, programme_id=programme.id)
    db.session.add(proposal)
    db.session.flush()
    return proposal


def accept_pairs(actor: User | None, pairs: list[tuple[int, str]], now: datetime) -> list[CohortProposal]:
    """Accept several pairs; any refusal raises, and the caller rolls all of them back."""
    ensure_facilitator(actor)
    return [accept_pair(actor, need_id, code, now) for need_id, code in pairs]


def list_proposals(limit: int = 100) -> list[CohortProposal]:
    return list(db.session.scalars(select(CohortProposal).order_by(CohortProposal.created_at.desc(),
                                                                   CohortProposal.id.desc())
                                   .limit(limit)))
