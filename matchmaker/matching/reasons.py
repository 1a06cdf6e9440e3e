"""Why a city is recommended: one reason per factor, in the sector's own words and the viewer's
language, plus the candidate's dict in the shape of INTERFACES.md."""

import re
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from matchmaker.cities.models import City
from matchmaker.matching.cache import CityInfo, Snapshot
from matchmaker.matching.engine import (
    COMPLEMENT_INDICATOR,
    DEFAULT_COMPLEMENT_INDICATOR,
    FACTORS,
    Candidate,
    CityProfile,
    practice_text,
)
from matchmaker.matching.glossary import Glossary
from matchmaker.matching.history import MentorRecord, PastProgramme
from matchmaker.matching.models import FEEDBACK_LABELS, FeedbackReason, MatchFeedback
from matchmaker.programmes.models import OUTCOME_LABELS
from matchmaker.timeutils import zone_label
from matchmaker.vocab import FISCAL_CAPACITY, KINDS, MATURITY

MAX_TERMS = 4  # matched words quoted in a reason
MAX_CONCEPTS = 3  # glossary concepts named in a reason
_WORD = re.compile(r"[A-Za-z0-9]+")


def lower_label(label) -> str:
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


@lru_cache(maxsize=64)  # a page explains a dozen candidates against the same texts
def _spellings(text: str) -> dict[str, str]:
    spelled: dict[str, str] = {}
    for word in _WORD.findall(text):
        spelled.setdefault(word.lower(), word)
    return spelled


def surface_terms(terms: list[str], need_text: str) -> list[str]:
    """Give matched words the spelling the need used ('ASN', 'IPLT'), not the lower-cased one."""
    spelled = _spellings(need_text)
    return [spelled.get(t, t) for t in terms]


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "id"


def _phrase(words: str, text: str) -> str:
    return " ".join(surface_terms(words.split(), text))


def concept_list(c: Candidate, glossary: Glossary, need_text: str, practice_text: str) -> list[dict]:
    """The glossary concepts the need and the practice share, named in the viewer's language,
    with each text's own words for them."""
    language = _language()
    return [{"id": m.concept, "label": glossary.groups[m.concept].label(language),
             "need_words": _phrase(m.need_words, need_text),
             "practice_words": _phrase(m.practice_words, practice_text)} for m in c.concepts]


def _in_sentence(label: str) -> str:
    """A label inside a sentence: 'Penyedotan lumpur tinja' -> 'penyedotan …', 'IPAL …' stays."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _concepts_text(c: Candidate, concepts: list[dict]) -> str:
    """"layanan lumpur tinja terjadwal ('L2T2' ≈ 'sedot WC berkala')" for each shared concept,
    then the need's other words the practice shares."""
    parts = []
    for concept in concepts[:MAX_CONCEPTS]:
        label, need, practice = (_in_sentence(concept["label"]), concept["need_words"],
                                 concept["practice_words"])
        if need.lower() == practice.lower():
            parts.append(f"{label} ('{need}')")
        else:
            parts.append(f"{label} ('{practice}' ≈ '{need}')")
    said = {word.lower() for concept in concepts for word in concept["need_words"].split()}
    others = [t for t in c.matched_terms if t.lower() not in said][:MAX_TERMS]
    if others:
        parts.append(_("juga kata %(terms)s", terms=", ".join(f"'{t}'" for t in others)))
    return "; ".join(str(p) for p in parts)


def _relevance_text(c: Candidate, mentor: CityInfo, mentee: City, practice,
                    concepts: list[dict]) -> str:
    text = _relevance_words_text(c, mentor, mentee, practice, concepts)
    if c.near_tie:
        text = " ".join([text, _("Relevansinya setara dengan praktik kota lain yang menjawab hal "
                                 "yang sama dengan kata-kata berbeda; kematangan dan konteks "
                                 "yang menentukan urutannya.")])
    return text


def _relevance_words_text(c: Candidate, mentor: CityInfo, mentee: City, practice,
                          concepts: list[dict]) -> str:
    status = lower_label(MATURITY.get(practice.maturity, practice.maturity))
    if practice.started_year:
        status = _("%(maturity)s, sejak %(year)s", maturity=status, year=practice.started_year)
    planned = practice.maturity == "idea"
    if concepts:
        if planned:
            return _("%(mentor)s merencanakan %(practice)s (%(status)s), yang menjawab kebutuhan "
                     "%(mentee)s: %(concepts)s.", mentor=mentor.name_short, practice=practice.title,
                     status=status, mentee=mentee.name_short, concepts=_concepts_text(c, concepts))
        return _("%(mentor)s menjalankan %(practice)s (%(status)s), yang menjawab kebutuhan "
                 "%(mentee)s: %(concepts)s.", mentor=mentor.name_short, practice=practice.title,
                 status=status, mentee=mentee.name_short, concepts=_concepts_text(c, concepts))
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
    label = lower_label(MATURITY.get(practice.maturity, practice.maturity))
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


def context_text(similar_traits, mentor: CityInfo, mentee: "City | CityInfo", mp: CityProfile,
                 ep: CityProfile) -> str:
    """How a mentor's context compares with a mentee's, in sector words (also for candidates)."""
    traits = set(similar_traits)
    parts = []
    people = population_range(mp.population, ep.population)
    if "same_kind" in traits:
        kind = lower_label(KINDS.get(mentee.kind, mentee.kind))
        if "similar_population" in traits and people:
            parts.append(_("keduanya %(kind)s berpenduduk %(range)s", kind=kind, range=people))
        else:
            parts.append(_("keduanya %(kind)s", kind=kind))
    else:
        parts.append(_("%(mentor)s adalah %(a)s, %(mentee)s %(b)s", mentor=mentor.name_short,
                       a=lower_label(KINDS.get(mentor.kind, mentor.kind)), mentee=mentee.name_short,
                       b=lower_label(KINDS.get(mentee.kind, mentee.kind))))
        if "similar_population" in traits and people:
            parts.append(_("penduduk sebanding (%(range)s)", range=people))
    if "similar_population" not in traits and people:
        parts.append(_("skala penduduk berbeda (%(range)s)", range=people))
    if "similar_density" in traits:
        parts.append(_("kepadatan sebanding"))
    if "similar_fiscal" in traits and mp.fiscal_capacity and ep.fiscal_capacity:
        parts.append(_("kapasitas fiskal sebanding (%(a)s / %(b)s)",
                       a=lower_label(FISCAL_CAPACITY[mp.fiscal_capacity]),
                       b=lower_label(FISCAL_CAPACITY[ep.fiscal_capacity])))
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
            need_text: str = "", concepts: list[dict] | None = None) -> list[dict]:
    """One reason per factor, in the sector's words, with the factor's score.

    `concepts`: `concept_list` of the candidate, if the caller has it already.
    """
    mentor = snapshot.cities[c.code]
    practice = snapshot.practices[c.practice_id]
    mp, ep = snapshot.profiles[c.code], snapshot.profiles[mentee.code]
    if need_text:
        c = replace(c, matched_terms=surface_terms(c.matched_terms, need_text))
    if concepts is None:
        concepts = concept_list(c, snapshot.model.glossary, need_text, practice_text(practice))
    texts = {
        "relevance": _relevance_text(c, mentor, mentee, practice, concepts),
        "maturity": _maturity_text(practice, now),
        "context": context_text(c.similar_traits, mentor, mentee, mp, ep),
        "complementarity": _complement_text(topic, mentor, mentee, mp, ep),
    }
    return [{"factor": f, "value": round(c.factors[f], 3), "text": str(texts[f])} for f in FACTORS]


def candidate_dict(snapshot: Snapshot, rank: int, c: Candidate, mentee: City, topic: str,
                    now: datetime, need_text: str = "") -> dict:
    mentor = snapshot.cities[c.code]
    practice = snapshot.practices[c.practice_id]
    concepts = concept_list(c, snapshot.model.glossary, need_text, practice_text(practice))
    return {
        "rank": rank, "code": c.code, "name": mentor.name, "score": round(c.score, 3),
        "practice": {"id": practice.id, "title": practice.title, "maturity": practice.maturity,
                     "started_year": practice.started_year},
        "factors": {f: round(c.factors[f], 3) for f in FACTORS},
        "matched_terms": surface_terms(c.matched_terms, need_text),
        "concepts": concepts,
        "near_tie": c.near_tie,
        "similar_traits": list(c.similar_traits),
        "reasons": explain(snapshot, c, mentee, topic, now, need_text, concepts),
    }


def _past_programme_text(programme: PastProgramme, mentor: CityInfo, mentee: City) -> str:
    outcome = lower_label(OUTCOME_LABELS[programme.replication_outcome])
    year = programme.closed_at.year if programme.closed_at else "—"
    return _("%(mentor)s dan %(mentee)s pernah menjalankan program tentang topik ini (#%(id)d, "
             "selesai %(year)s): %(outcome)s.", mentor=mentor.name_short, mentee=mentee.name_short,
             id=programme.id, year=year, outcome=outcome)


def history_reason(mentor: CityInfo, mentee: City, record: MentorRecord | None,
                   past: PastProgramme | None) -> dict | None:
    """The mentor's completed programmes on the topic, and the one with this mentee if any.

    Its value is the share of the mentor's mentees that adopted the practice.
    """
    parts = []
    if past is not None:
        parts.append(_past_programme_text(past, mentor, mentee))
    if record is not None:
        parts.append(_("%(mentor)s telah membimbing %(n)d kota tentang topik ini; %(adopted)d "
                       "mengadopsi.", mentor=mentor.name_short, n=record.mentees,
                       adopted=record.adopted))
    if not parts:
        return None
    value = record.adoption_share if record is not None else 0.0
    return {"factor": "history", "value": round(value, 3), "text": " ".join(str(p) for p in parts)}


def adopted_text(programme: PastProgramme, mentor: CityInfo, mentee: City) -> str:
    """Why a mentor is excluded: the mentee already adopted its practice in a programme."""
    return _("%(mentee)s sudah mengadopsi praktik %(mentor)s lewat program #%(id)d (%(outcome)s).",
             mentee=mentee.name_short, mentor=mentor.name_short, id=programme.id,
             outcome=lower_label(OUTCOME_LABELS[programme.replication_outcome]))


def history_dict(programme: PastProgramme) -> dict:
    """The programme a mentor already ran with the mentee, as the recommendation marks it."""
    return {"programme_id": programme.id, "outcome": programme.outcome or "none",
            "outcome_label": str(OUTCOME_LABELS[programme.replication_outcome]),
            "adopted": programme.is_adopted,
            "closed_at": programme.closed_at.isoformat() if programme.closed_at else None}


def feedback_text(feedback: MatchFeedback, mentor: CityInfo) -> str:
    """Why a mentor is excluded: a facilitator marked it "not a good match", and why."""
    why = feedback.note if feedback.reason == FeedbackReason.OTHER else lower_label(
        FEEDBACK_LABELS[feedback.reason])
    if feedback.reason != FeedbackReason.OTHER and feedback.note:
        why = f"{why} ({feedback.note})"
    return _("Fasilitator menandai %(mentor)s bukan pasangan yang cocok (%(date)s): %(why)s.",
             mentor=mentor.name_short, date=feedback.created_at.date().isoformat(), why=why)
