"""Use cases of matching: mentor recommendations, the cohort assignment, accepting pairs.

Recommendations and cohorts are the facilitators' tools (checked here, for the pages, the API
and the CLI alike); the reasons' wording is in `reasons.py`. Services flush; callers commit.
The fitted model comes from matching.cache, so no request refits it unless the data changed.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from matchmaker.access import Actor
from matchmaker.cities.models import City, Need
from matchmaker.errors import Conflict, NotFound, ValidationError
from matchmaker.extensions import db
from matchmaker.matching.access import ensure_can_match
from matchmaker.matching.cache import Snapshot, current_snapshot
from matchmaker.matching.engine import NeedDoc
from matchmaker.matching.feedback import flagged_mentors, flagged_pairs
from matchmaker.matching.history import MentorRecord, PastProgramme, adopted_pairs, topic_history
from matchmaker.matching.models import CohortProposal, MatchFeedback, ProposalStatus
from matchmaker.matching.reasons import (
    adopted_text,
    candidate_dict,
    feedback_text,
    history_dict,
    history_reason,
)
from matchmaker.programmes.models import OPEN_STATUSES, Programme
from matchmaker.programmes.services import create_programme
from matchmaker.vocab import PRIORITY, TOPICS

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
COULD_MENTOR_SCAN = 300  # needs examined for "cities this city could mentor"
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


# ---------------------------------------------------------------- input checks

def check_topic(topic) -> str:
    if not topic:
        raise ValidationError(_("Topik wajib diisi: salah satu dari %(all)s.", all=", ".join(TOPICS)),
                              field="topic")
    if not isinstance(topic, str) or topic not in TOPICS:
        raise ValidationError(_("Topik tidak dikenal: %(topic)s (pilih salah satu: %(all)s).",
                                topic=str(topic)[:40], all=", ".join(TOPICS)), field="topic")
    return topic


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(_("limit harus bilangan bulat antara 1 dan %(max)d.", max=MAX_LIMIT),
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


def _exclusions(snapshot: Snapshot, mentee: City, topic: str, past: dict[int, PastProgramme],
                flagged: dict[int, MatchFeedback]) -> dict[str, tuple[str, str]]:
    """code -> (reason key, reason text) for candidate mentors that hard rules remove.

    `past`: the latest completed programme of each mentor with this mentee on the topic;
    `flagged`: facilitators' "not a good match" that applies to this search.
    """
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
        elif info.id in past and past[info.id].is_adopted:
            out[code] = ("adopted", adopted_text(past[info.id], info, mentee))
        elif info.id in flagged:
            out[code] = ("feedback", feedback_text(flagged[info.id], info))
        elif load.get(info.id, 0) >= capacity:
            out[code] = ("capacity", _(
                "%(mentor)s sudah membimbing %(n)d program terbuka (kapasitas %(capacity)d).",
                mentor=info.name_short, n=load[info.id], capacity=capacity))
    return out


# ---------------------------------------------------------------- recommendations

def default_need_text(mentee: City, topic: str) -> str:
    """The mentee's recorded needs on the topic, else the topic's (Indonesian) name."""
    needs = db.session.scalars(select(Need).where(Need.city_id == mentee.id, Need.topic == topic)
                               .order_by(Need.id)).all()
    if needs:
        return "\n".join(f"{n.title}\n{n.description or ''}" for n in needs)
    with force_locale("id"):
        return str(TOPICS[topic])


def recommend_mentors(actor: Actor | None, mentee: City, topic: str, need_text: str | None,
                      limit: int | None, now: datetime, need: Need | None = None) -> dict:
    """Rank mentor cities for a mentee on a topic, with reasons and the cities rules exclude.

    `need`: the recorded need the search started from; feedback given on it applies.
    """
    ensure_can_match(actor)
    topic = check_topic(topic)
    limit = check_limit(limit)
    text = (need_text or "").strip() or default_need_text(mentee, topic)
    snapshot = current_snapshot()
    history = topic_history(topic)
    past = history.with_mentee(mentee.id)
    flagged = flagged_mentors(mentee, topic, need)
    excluded = _exclusions(snapshot, mentee, topic, past, flagged)
    if mentee.code not in snapshot.profiles:
        raise NotFound(_("Kota/kabupaten dengan kode %(code)s tidak ada.", code=mentee.code))
    candidates = snapshot.model.recommend(mentee.code, topic, text, limit=limit,
                                          exclude=frozenset(excluded))
    items = [candidate_dict(snapshot, i, c, mentee, topic, now, text)
             for i, c in enumerate(candidates, start=1)]
    _add_history(snapshot, items, mentee, past, history.records())
    return {
        "mentee": {"code": mentee.code, "name": mentee.name},
        "topic": topic,
        "need_text": text,
        "recommendations": items,
        "excluded": [_excluded_dict(snapshot, code, key, text_, flagged)
                     for code, (key, text_) in excluded.items()],
    }


def _excluded_dict(snapshot: Snapshot, code: str, key: str, text: str,
                   flagged: dict[int, MatchFeedback]) -> dict:
    info = snapshot.cities[code]
    item: dict[str, str | int] = {"code": code, "name": info.name, "reason": text, "reason_key": key}
    if key == "feedback":  # so that the page can withdraw it
        item["feedback_id"] = flagged[info.id].id
    return item


def _add_history(snapshot: Snapshot, items: list[dict], mentee: City,
                 past: dict[int, PastProgramme], records: dict[int, MentorRecord]) -> None:
    """Mark mentors that already ran a programme with the mentee, and give each mentor's record
    of completed programmes on the topic as a reason."""
    for item in items:
        info = snapshot.cities[item["code"]]
        programme = past.get(info.id)
        reason = history_reason(info, mentee, records.get(info.id), programme)
        if reason is not None:
            item["reasons"].append(reason)
        if programme is not None:
            item["history"] = history_dict(programme)


def recommend_for_need(actor: Actor | None, need: Need, limit: int | None,
                       now: datetime) -> dict:
    """Recommendations for one recorded need: its city, topic and text."""
    result = recommend_mentors(actor, need.city, need.topic,
                               f"{need.title}\n{need.description or ''}", limit, now, need=need)
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
    needs = {n.id: n for n in db.session.scalars(select(Need).options(joinedload(Need.city)).where(
        Need.id.in_([row[0] for row in rows])))}
    return [{"need": needs[need_id], "mentee": needs[need_id].city, "rank": rank, "of": of,
             "score": score, "practice": snapshot.practices[practice_id]}
            for need_id, rank, of, score, practice_id in rows if need_id in needs]


def _could_mentor_rows(snapshot: Snapshot, city: City) -> list[tuple]:
    """Rank the city among the mentors of each recent need on its topics, from the model's scores."""
    topics = sorted(t for t, codes in snapshot.topic_cities.items() if city.code in codes)
    if not topics:
        return []
    needs = [NeedDoc(id=row.id, city_code=row.code, topic=row.topic, title=row.title,
                     description=row.description or "", priority=row.priority)
             for row in db.session.execute(
                 select(Need.id, City.code, Need.topic, Need.title, Need.description, Need.priority)
                 .join(City, City.id == Need.city_id)
                 .where(Need.topic.in_(topics), Need.city_id != city.id)
                 .order_by(Need.updated_at.desc(), Need.id.desc()).limit(COULD_MENTOR_SCAN))]
    found = []
    for need, hit in zip(needs, snapshot.model.rank_among_mentors(city.code, needs), strict=True):
        if hit is not None:
            rank, of, score, practice_id = hit
            found.append((PRIORITY_ORDER.get(need.priority, 3),
                          (need.id, rank, of, round(score, 3), practice_id)))
    found.sort(key=lambda f: (f[1][1], -f[1][3], f[0], f[1][0]))
    return [row for _priority, row in found]


# ---------------------------------------------------------------- cohort pairing

@dataclass
class CohortFilters:
    topic: str = ""
    province: str = ""
    priority: str = ""


def cohort_needs(actor: Actor | None, filters: CohortFilters) -> list[Need]:
    """Needs a facilitator can put into a cohort, filtered by topic, province and priority."""
    ensure_can_match(actor)
    stmt = select(Need).join(City, City.id == Need.city_id).order_by(Need.topic, City.code, Need.id)
    if filters.topic:
        stmt = stmt.where(Need.topic == check_topic(filters.topic))
    if filters.province:
        stmt = stmt.where(City.province_code == filters.province)
    if filters.priority:
        if filters.priority not in PRIORITY:
            raise ValidationError(_("Prioritas tidak dikenal: %(p)s", p=filters.priority[:20]),
                                  field="priority")
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


def _blocked(snapshot: Snapshot, needs: list[Need]) -> dict[int, frozenset[str]]:
    """Need id -> mentors never paired with it: the mentee adopted their practice already, or a
    facilitator marked the pair "not a good match" (for that need or for the topic)."""
    topics = {n.topic for n in needs}
    by_pair: dict[tuple[int, str], list[tuple[int, int | None]]] = {}  # -> (mentor, need or None)
    for mentee, topic, mentor in adopted_pairs(topics):
        by_pair.setdefault((mentee, topic), []).append((mentor, None))
    for mentee, topic, mentor, need_id in flagged_pairs(topics):
        by_pair.setdefault((mentee, topic), []).append((mentor, need_id))
    code_of = {info.id: code for code, info in snapshot.cities.items()}
    blocked = {}
    for need in needs:
        mentors = {code_of[mentor] for mentor, need_id in by_pair.get((need.city_id, need.topic), ())
                   if need_id in (None, need.id) and mentor in code_of}
        if mentors:
            blocked[need.id] = frozenset(mentors)
    return blocked


def run_cohort(actor: Actor | None, need_ids: list[int], now: datetime,
               min_score: float = 0.0) -> dict:
    """Pair the chosen needs with mentors, maximising the total score under mentor capacity."""
    ensure_can_match(actor)
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
                                          min_score=min_score, exclude=_blocked(snapshot, needs))
    need_by_id = {n.id: n for n in needs}
    pairs = []
    for doc, c in result.pairs:
        need = need_by_id[doc.id]
        pairs.append({"need": need, "mentee": need.city, "mentor": snapshot.cities[c.code],
                      "candidate": candidate_dict(snapshot, 1, c, need.city, need.topic, now,
                                                  f"{need.title}\n{need.description or ''}"),
                      "score": round(c.score, 3)})
    unpaired = [{"need": need, "mentee": need.city, "reason_key": key, "reason": _unpaired_text(key)}
                for need, key in held + [(need_by_id[doc.id], key) for doc, key in result.unpaired]]
    return {"pairs": pairs, "unpaired": unpaired, "total": round(result.total, 3),
            "greedy_total": round(result.greedy_total, 3), "capacity": capacity,
            "slots": slots}


def accept_pair(actor: Actor | None, need_id: int, mentor_code: str, now: datetime) -> CohortProposal:
    """Keep one (need, mentor) pair as an accepted proposal, re-scored on current data."""
    ensure_can_match(actor)
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


def accept_pairs(actor: Actor | None, pairs: list[tuple[int, str]], now: datetime) -> list[CohortProposal]:
    """Accept several pairs; any refusal raises, and the caller rolls all of them back."""
    ensure_can_match(actor)
    return [accept_pair(actor, need_id, code, now) for need_id, code in pairs]


def list_proposals(actor: Actor | None, limit: int = 100) -> list[CohortProposal]:
    ensure_can_match(actor)
    return list(db.session.scalars(select(CohortProposal).order_by(CohortProposal.created_at.desc(),
                                                                   CohortProposal.id.desc())
                                   .limit(limit)))
