"""The sector glossary: concept groups, and finding them in a need or a practice.

Pure Python (no Flask, no database). The shipped groups live in
`matchmaker/data/glossary.toml` (docs/glossary.md); groups an admin adds in the app are
passed in as `ConceptGroup` objects through `Glossary.extended`, so the model build sees
both. Texts are matched on the same normalised terms as the TF-IDF part of the engine
(`text.terms`): a member "sedot WC berkala" is the terms ("sedot", "wc", "kala"), and it
matches wherever those terms occur within a short window, in any order.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from matchmaker.matching.text import read_glossary_file, terms

GROUP_ID = re.compile(r"[a-z][a-z0-9_]{1,63}$")
TERM_KINDS = ("id", "acronym", "colloquial", "en")
LABEL_LANGUAGES = ("id", "en")
# A member of k terms matches when its terms occur within k + WINDOW_SLACK consecutive
# terms of the text ("lumpur tinja disedot terjadwal" has "sedot ... jadwal" in reach).
WINDOW_SLACK = 2


class GlossaryError(ValueError):
    """A concept group that cannot be used, with what is wrong with it."""


@dataclass(frozen=True)
class ConceptGroup:
    id: str
    labels: Mapping[str, str]  # language ("id", "en") -> label
    terms: Mapping[str, tuple[str, ...]]  # kind (TERM_KINDS) -> wordings
    topics: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    topic_root: bool = False
    sources: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping) -> "ConceptGroup":
        """Build a group from its TOML / JSON form, refusing what the matcher cannot use."""
        group_id = data.get("id")
        if not isinstance(group_id, str) or not GROUP_ID.match(group_id):
            raise GlossaryError(f"group id {group_id!r}: use 2-64 lower-case letters, digits or '_'")
        labels = data.get("label") or {}
        if not isinstance(labels, Mapping) or not all(
                isinstance(labels.get(lang), str) and labels[lang].strip() for lang in LABEL_LANGUAGES):
            raise GlossaryError(f"group {group_id}: label needs non-empty 'id' and 'en' texts")
        raw_terms = data.get("terms") or {}
        if not isinstance(raw_terms, Mapping) or set(raw_terms) - set(TERM_KINDS):
            raise GlossaryError(f"group {group_id}: terms may only have the kinds {', '.join(TERM_KINDS)}")
        wordings = {}
        for kind in TERM_KINDS:
            values = raw_terms.get(kind, [])
            if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
                raise GlossaryError(f"group {group_id}: terms.{kind} must be a list of non-empty texts")
            if values:
                wordings[kind] = tuple(v.strip() for v in values)
        if not wordings:
            raise GlossaryError(f"group {group_id}: at least one term is needed")
        lists = {}
        for key in ("topics", "broader", "sources"):
            values = data.get(key, [])
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise GlossaryError(f"group {group_id}: {key} must be a list of texts")
            lists[key] = tuple(values)
        if group_id in lists["broader"]:
            raise GlossaryError(f"group {group_id}: a group cannot be broader than itself")
        return cls(id=group_id, labels=dict(labels), terms=wordings,
                   topic_root=bool(data.get("topic_root", False)), **lists)

    @property
    def members(self) -> tuple[str, ...]:
        """Every wording of the group, whatever its kind."""
        return tuple(w for kind in TERM_KINDS for w in self.terms.get(kind, ()))

    def label(self, language: str) -> str:
        """The group's label in a language, Bahasa Indonesia when that one is missing."""
        return self.labels.get(language) or self.labels["id"]


class Mention(NamedTuple):
    """One concept found in a text: its group, the text's words for it, and whether implied."""

    concept: str
    words: str  # the text's own words, lower case ("sedot wc berkala"); implied: the narrower one's
    implied: bool = False  # True when only a narrower group was found (LLTT implies desludging)


@dataclass(frozen=True)
class _Member:
    terms: tuple[str, ...]
    groups: tuple[str, ...]
    rest: tuple[str, ...]  # the terms besides the one it is indexed under


@dataclass
class Glossary:
    """Concept groups by id, with an index from terms to the members they can start."""

    groups: dict[str, ConceptGroup]
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = {(g.id, b) for g in self.groups.values() for b in g.broader if b not in self.groups}
        if unknown:
            raise GlossaryError("broader groups not in the glossary: " + ", ".join(
                f"{g} -> {b}" for g, b in sorted(unknown)))
        self._check_cycles()

    @classmethod
    def from_data(cls, data: Mapping) -> "Glossary":
        """Build a glossary from the parsed glossary file (TOML tables)."""
        groups = [ConceptGroup.from_dict(item) for item in data.get("group", [])]
        by_id: dict[str, ConceptGroup] = {}
        for group in groups:
            if group.id in by_id:
                raise GlossaryError(f"group id {group.id} appears twice")
            by_id[group.id] = group
        return cls(by_id, dict(data.get("sources", {})))

    @classmethod
    def shipped(cls) -> "Glossary":
        """The glossary shipped with the package (read once per process)."""
        return _shipped()

    def extended(self, groups: Iterable[ConceptGroup]) -> "Glossary":
        """A glossary with more groups (added by an admin); a known id gains the new wordings."""
        merged = dict(self.groups)
        for group in groups:
            known = merged.get(group.id)
            if known is not None:
                wordings = {kind: tuple(dict.fromkeys(known.terms.get(kind, ()) + group.terms.get(kind, ())))
                            for kind in TERM_KINDS if known.terms.get(kind) or group.terms.get(kind)}
                group = ConceptGroup(
                    id=known.id, labels=known.labels, terms=wordings,
                    topics=tuple(dict.fromkeys(known.topics + group.topics)),
                    broader=tuple(dict.fromkeys(known.broader + group.broader)),
                    topic_root=known.topic_root,
                    sources=tuple(dict.fromkeys(known.sources + group.sources)))
            merged[group.id] = group
        return Glossary(merged, dict(self.sources))

    def _check_cycles(self) -> None:
        for start in self.groups:
            seen: set[str] = set()
            todo = list(self.groups[start].broader)
            while todo:
                current = todo.pop()
                if current == start:
                    raise GlossaryError(f"group {start} is broader than itself through {sorted(seen)}")
                if current not in seen:
                    seen.add(current)
                    todo.extend(self.groups[current].broader)

    @cached_property
    def _members(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Normalised terms of each wording -> the groups that use it."""
        out: dict[tuple[str, ...], list[str]] = {}
        for group in self.groups.values():
            for wording in group.members:
                key = tuple(term for _, term in terms(wording))
                if key and group.id not in out.setdefault(key, []):
                    out[key].append(group.id)
        return {key: tuple(ids) for key, ids in out.items()}

    @cached_property
    def _single(self) -> dict[str, tuple[str, ...]]:
        """One-term wordings: term -> the groups that use it."""
        return {key[0]: groups for key, groups in self._members.items() if len(key) == 1}

    @cached_property
    def _index(self) -> dict[str, list[_Member]]:
        """Each longer wording under its least common term, so a position tries few of them."""
        frequency: dict[str, int] = {}
        for key in self._members:
            for term in set(key):
                frequency[term] = frequency.get(term, 0) + 1
        index: dict[str, list[_Member]] = {}
        for key, groups in self._members.items():
            if len(key) > 1:
                anchor = min(set(key), key=lambda t: (frequency[t], t))
                rest = list(key)
                rest.remove(anchor)
                index.setdefault(anchor, []).append(_Member(key, groups, tuple(rest)))
        for members in index.values():
            members.sort(key=lambda m: (-len(m.terms), m.terms))
        return index

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every normalised term used by a member (for spelling correction of need words)."""
        return frozenset(term for key in self._members for term in key)

    def unmatchable(self) -> list[tuple[str, str]]:
        """(group id, wording) pairs whose words are all stop words: they can never match."""
        return [(group.id, wording) for group in self.groups.values() for wording in group.members
                if not terms(wording)]

    def ancestors(self, concept: str) -> tuple[str, ...]:
        """Every group broader than this one, nearest first."""
        return self._ancestry[concept]

    @cached_property
    def _ancestry(self) -> dict[str, tuple[str, ...]]:
        out = {}
        for concept, group in self.groups.items():
            found: list[str] = []
            todo = list(group.broader)
            while todo:
                current = todo.pop(0)
                if current not in found:
                    found.append(current)
                    todo.extend(self.groups[current].broader)
            out[concept] = tuple(found)
        return out

    def find(self, pairs: list[tuple[str, str]], topic: str | None = None) -> list[Mention]:
        """Concepts mentioned in a text given as `text.terms` pairs, in order of first mention.

        A wording inside a longer wording of another group counts only as the longer one
        ("wc" in "sedot wc berkala" is not a mention of toilets); a wording shared by several
        groups goes to those hinting at the topic, if any. Broader groups of every group found
        follow as implied mentions.
        """
        where: dict[str, list[int]] = {}  # term -> its positions in the text
        for i, (_, term) in enumerate(pairs):
            if term in where:
                where[term].append(i)
            else:
                where[term] = [i]
        longer: list[tuple[frozenset[int], tuple[int, ...], tuple[str, ...]]] = []
        index = self._index
        for term, positions in where.items():
            for member in index.get(term, ()):
                if all(other in where for other in member.rest):
                    for i in positions:
                        span = _locate(where, i, member)
                        if span is not None:
                            longer.append((frozenset(span), span, member.groups))
        covered = set().union(*(cells for cells, _, _ in longer))
        widest = max((len(span) for _, span, _ in longer), default=0)
        found: list[tuple[tuple[int, ...], tuple[str, ...]]] = [
            (span, groups) for cells, span, groups in longer
            if len(span) == widest or not any(other > cells for other, _, _ in longer)]
        single = self._single
        for term, positions in where.items():
            if term in single:
                free = [p for p in positions if p not in covered]
                if free:
                    found.append(((free[0],), single[term]))
        chosen: dict[str, list] = {}  # group -> [first position, widest span]
        for span, groups in found:
            if topic is not None and len(groups) > 1:
                groups = tuple(g for g in groups if topic in self.groups[g].topics) or groups
            for group in groups:
                current = chosen.get(group)
                if current is None:
                    chosen[group] = [span[0], span]
                else:
                    current[0] = min(current[0], span[0])
                    if (len(span), -span[0]) > (len(current[1]), -current[1][0]):
                        current[1] = span
        out: dict[str, Mention] = {}
        for group, (_, span) in sorted(chosen.items(), key=lambda item: (item[1][0], item[0])):
            out[group] = Mention(group, " ".join(dict.fromkeys(pairs[p][0] for p in span)))
        for mention in list(out.values()):
            for broader in self.ancestors(mention.concept):
                if broader not in out:
                    out[broader] = Mention(broader, mention.words, implied=True)
        return list(out.values())


def _locate(where: dict[str, list[int]], anchor: int, member: _Member) -> tuple[int, ...] | None:
    """Positions of a member's terms around an anchor position, or None if they are not in reach.

    Every term of the member is known to occur in the text (`where`).
    """
    size = len(member.terms)
    reach = size - 1 + WINDOW_SLACK
    if size == 2:  # most wordings: the nearest other term within reach, the earlier on a tie
        best, best_distance = -1, reach + 1
        for p in where[member.rest[0]]:
            distance = abs(p - anchor)
            if 0 < distance < best_distance:
                best, best_distance = p, distance
        return None if best < 0 else (min(anchor, best), max(anchor, best))
    used = [anchor]
    for term in member.rest:
        near = [p for p in where[term] if abs(p - anchor) <= reach and p not in used]
        if not near:
            return None
        used.append(min(near, key=lambda p: (abs(p - anchor), p)))
    if max(used) - min(used) + 1 > size + WINDOW_SLACK:
        return None
    return tuple(sorted(used))


@lru_cache(maxsize=1)
def _shipped() -> Glossary:
    return Glossary.from_data(read_glossary_file())
