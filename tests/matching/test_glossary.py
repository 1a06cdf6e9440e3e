import pytest

from matchmaker.matching.glossary import (
    LABEL_LANGUAGES,
    TERM_KINDS,
    ConceptGroup,
    Glossary,
    GlossaryError,
)
from matchmaker.matching.text import terms
from matchmaker.vocab import TOPICS


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.shipped()


def concepts(glossary: Glossary, text: str, topic: str | None = None) -> list[str]:
    return [m.concept for m in glossary.find(terms(text), topic) if not m.implied]


def group(group_id: str, *wordings: str, **fields) -> ConceptGroup:
    return ConceptGroup.from_dict({"id": group_id, "label": {"id": group_id, "en": group_id},
                                   "terms": {"id": list(wordings)}, **fields})


# The shipped file


def test_shipped_glossary_covers_every_topic_with_one_root_each(glossary):
    assert len(glossary.groups) >= 60
    for topic in TOPICS:
        hinting = [g for g in glossary.groups.values() if topic in g.topics]
        roots = [g.id for g in hinting if g.topic_root]
        assert len(hinting) >= 5, topic
        assert len(roots) == 1, (topic, roots)


def test_every_group_is_labelled_sourced_and_hints_known_topics(glossary):
    for g in glossary.groups.values():
        assert all(g.labels[lang].strip() for lang in LABEL_LANGUAGES), g.id
        assert g.members, g.id
        assert set(g.terms) <= set(TERM_KINDS), g.id
        assert g.sources and set(g.sources) <= set(glossary.sources), g.id
        assert g.topics and set(g.topics) <= set(TOPICS), g.id


def test_every_wording_can_match(glossary):
    assert glossary.unmatchable() == []


def test_wordings_shared_by_groups_are_told_apart_by_topic(glossary):
    shared = {key: ids for key, ids in glossary._members.items() if len(ids) > 1}
    for ids in shared.values():
        hints = [set(glossary.groups[i].topics) for i in ids]
        assert all(a.isdisjoint(b) for k, a in enumerate(hints) for b in hints[k + 1:]), ids


@pytest.mark.parametrize(("concept", "wordings"), [
    ("lltt", ["L2T2", "LLTT", "layanan lumpur tinja terjadwal", "sedot tinja terjadwal",
              "scheduled desludging", "sedot WC berkala", "penyedotan rutin"]),
    ("iplt", ["IPLT", "instalasi pengolahan lumpur tinja", "faecal sludge treatment plant"]),
    ("spald_s", ["SPALD-S", "sanitasi setempat", "on-site sanitation"]),
    ("spald_t", ["SPALD-T", "sewerage", "jaringan perpipaan air limbah"]),
    ("ipal", ["IPAL", "IPALD", "instalasi pengolahan air limbah", "wastewater treatment plant"]),
    ("stbm", ["STBM", "sanitasi total berbasis masyarakat", "community-led total sanitation"]),
    ("pemicuan", ["pemicuan", "CLTS triggering"]),
    ("odf", ["ODF", "stop BABS", "buang air besar sembarangan", "open defecation free"]),
    ("ctps", ["CTPS", "cuci tangan pakai sabun", "handwashing with soap"]),
    ("tps3r", ["TPS3R", "TPS 3R"]),
    ("bank_sampah", ["bank sampah", "tabungan sampah", "waste bank"]),
    ("nrw", ["NRW", "air tak berekening", "kehilangan air", "pipa bocor", "non-revenue water"]),
    ("pah", ["PAH", "penampungan air hujan", "rainwater harvesting"]),
    ("pbg", ["PBG", "IMB", "persetujuan bangunan gedung", "building permit"]),
    ("rtlh", ["RTLH", "bedah rumah", "rumah tidak layak huni"]),
    ("sumur_resapan", ["sumur resapan", "drainase vertikal"]),
    ("biopori", ["biopori", "lubang resapan biopori"]),
    ("perkada", ["Perwali", "Perbup", "peraturan bupati"]),
    ("perda", ["Perda"]),
    ("asn", ["ASN", "aparatur sipil negara", "civil servants"]),
    ("mbr", ["MBR", "masyarakat berpenghasilan rendah", "low-income households"]),
])
def test_issue_groups_gather_their_wordings(glossary, concept, wordings):
    for wording in wordings:
        assert concept in concepts(glossary, wording), wording


def test_infiltration_wells_and_biopores_are_both_rainwater_infiltration(glossary):
    for text in ("sumur resapan", "biopori"):
        assert "resapan_air" in [m.concept for m in glossary.find(terms(text))]


# Finding concepts in a text


def test_wording_inside_a_longer_one_counts_as_the_longer_one(glossary):
    found = concepts(glossary, "sedot WC berkala", "wastewater")
    assert found == ["lltt"]  # not "jamban_sehat" for "WC", not plain desludging


def test_broader_groups_follow_as_implied_mentions(glossary):
    mentions = {m.concept: m for m in glossary.find(terms("L2T2 untuk ASN"))}
    assert not mentions["lltt"].implied and not mentions["asn"].implied
    assert mentions["penyedotan"].implied and mentions["lumpur_tinja"].implied
    assert mentions["penyedotan"].words == "l2t2"


def test_words_may_come_in_another_order_close_together(glossary):
    assert "lltt" in concepts(glossary, "lumpur tinja disedot terjadwal")
    assert "pemilahan" in concepts(glossary, "sampah dipilah warga")


def test_words_too_far_apart_do_not_make_a_mention(glossary):
    text = "sedot tinja oleh truk milik dinas dari kantor kecamatan yang jadwalnya berubah-ubah terus"
    assert "lltt" not in concepts(glossary, text)


def test_topic_decides_between_groups_sharing_a_wording(glossary):
    assert concepts(glossary, "hidran", "drinking_water") == ["hidran_umum"]
    assert concepts(glossary, "hidran", "fire_protection") == ["hidran_kebakaran"]
    assert sorted(concepts(glossary, "hidran", "road")) == ["hidran_kebakaran", "hidran_umum"]


def test_water_bill_is_not_non_revenue_water(glossary):
    assert "nrw" not in concepts(glossary, "rekening air naik")
    assert "nrw" in concepts(glossary, "air tak berekening naik")


def test_mention_keeps_the_text_own_words(glossary):
    (mention,) = [m for m in glossary.find(terms("Kami mau Sedot WC berkala")) if m.concept == "lltt"]
    assert mention.words == "sedot wc berkala"


# Groups added at run time


def test_added_group_is_found_next_to_the_shipped_ones(glossary):
    extended = glossary.extended([group("kampung_iklim", "kampung iklim", "ProKlim",
                                        topics=["governance"], broader=["advokasi"])])

    found = [m.concept for m in extended.find(terms("ProKlim dan L2T2"))]

    assert {"kampung_iklim", "advokasi", "lltt"} <= set(found)
    assert "kampung_iklim" not in glossary.groups  # the shipped glossary is unchanged


def test_added_wordings_for_a_known_group_extend_it(glossary):
    extended = glossary.extended([group("lltt", "sedot tinja rutinan")])

    assert "lltt" in concepts(extended, "sedot tinja rutinan")
    assert extended.groups["lltt"].labels == glossary.groups["lltt"].labels
    assert set(glossary.groups["lltt"].members) < set(extended.groups["lltt"].members)


def test_added_group_with_unknown_broader_group_is_refused(glossary):
    with pytest.raises(GlossaryError, match="tidak_ada"):
        glossary.extended([group("baru", "kata baru", broader=["tidak_ada"])])


def test_broader_cycle_is_refused():
    with pytest.raises(GlossaryError, match="broader than itself"):
        Glossary({"aa": group("aa", "satu", broader=["bb"]), "bb": group("bb", "dua", broader=["aa"])})


@pytest.mark.parametrize(("data", "message"), [
    ({"id": "Bad Id", "label": {"id": "x", "en": "x"}, "terms": {"id": ["x"]}}, "group id"),
    ({"id": "ok", "label": {"id": "x"}, "terms": {"id": ["x"]}}, "label"),
    ({"id": "ok", "label": {"id": "x", "en": "x"}, "terms": {"slang": ["x"]}}, "kinds"),
    ({"id": "ok", "label": {"id": "x", "en": "x"}, "terms": {}}, "at least one term"),
    ({"id": "ok", "label": {"id": "x", "en": "x"}, "terms": {"id": [""]}}, "non-empty"),
    ({"id": "ok", "label": {"id": "x", "en": "x"}, "terms": {"id": ["x"]}, "topics": "air"},
     "topics"),
])
def test_unusable_group_is_refused_with_the_reason(data, message):
    with pytest.raises(GlossaryError, match=message):
        ConceptGroup.from_dict(data)


def test_label_is_in_the_language_asked_else_bahasa_indonesia():
    g = ConceptGroup.from_dict({"id": "kata", "label": {"id": "Kata", "en": "Word"},
                                "terms": {"id": ["kata"]}})
    assert (g.label("en"), g.label("id"), g.label("fr")) == ("Word", "Kata", "Kata")
