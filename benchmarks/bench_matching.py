"""Benchmark the matching engine: ranking quality on labelled cases, speed and memory.

Usage: python benchmarks/bench_matching.py [--sizes 514,10000,100000] [--queries 200]
           [--cases benchmarks/matching_cases.json] [--baseline GIT_REV]

Quality: every case of the labelled evaluation set (needs written the way facilitators
write, each with its expected mentors and the DOMAIN.md principle it tests) is run through
`MatchModel.recommend`; the pass rate is reported per principle and per writing style.
History and feedback cases name past programmes and "not a good match" marks; the mentors
the service would exclude for them are passed as `exclude` (matching/history.py's outcomes).

Speed and memory, on synthetic Indonesian-like cities and practices: each size runs in its
own Python process, so peak memory is per size, not cumulative. The table gives model build
time, p50/p95 latency of one top-10 recommendation, cohort assignment time (500 needs, at
the 514-city size), memory (resident set before the build, i.e. interpreter + libraries +
the synthetic input objects, and the peak of the process), and the floor: a NumPy
matrix-vector product over the same context feature matrix, with the ratio to it.

With --baseline REV the engine of that git revision (e.g. `main`) is measured too, in the
same run: its package is exported to a temporary folder and each of its measurements runs
in its own process, back to back with the current engine's, so that both see the same
machine load.
"""

import argparse
import csv
import importlib
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from matchmaker.matching.engine import (
    FISCAL_LEVELS,
    MATURITY_LEVELS,
    CityProfile,
    MatchModel,
    NeedDoc,
    PracticeDoc,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = Path(__file__).resolve().parent / "matching_cases.json"
REGIONS = ROOT / "matchmaker" / "data" / "regions_kabkota.csv"

TOPIC_WORDS = {
    "building": "rumah tidak layak huni bedah rumah atap lantai dinding swadaya rehabilitasi "
                "bantuan stimulan perumahan kumuh",
    "road": "jalan lingkungan paving gang perkerasan betonisasi akses jalan setapak "
            "pemeliharaan rutin",
    "drinking_water": "air minum sambungan rumah pdam spam perpipaan hidran umum kehilangan "
                      "air meter bumdes mata air reservoir",
    "drainage": "drainase saluran genangan banjir normalisasi sumur resapan biopori "
                "gorong-gorong pompa banjir",
    "wastewater": "air limbah lumpur tinja terjadwal l2t2 iplt ipal komunal tangki septik "
                  "penyedotan spald sanitasi",
    "solid_waste": "sampah bank sampah tps3r kompos pemilahan pengangkutan armada "
                   "retribusi daur ulang plastik",
    "fire_protection": "kebakaran hidran pemadam apar relawan damkar proteksi "
                       "sistem peringatan dini",
    "public_open_space": "ruang terbuka hijau taman kota alun-alun ruang publik "
                         "taman bermain anak pedestrian",
    "hygiene_behaviour": "stbm odf cuci tangan pakai sabun jamban sehat buang air besar "
                         "sembarangan pemicuan kader",
    "governance": "perda perwali perbup pokja anggaran koordinasi opd regulasi "
                  "perencanaan data monitoring",
    "livelihood": "umkm pelatihan kerja koperasi modal usaha pemberdayaan ekonomi "
                  "pasar produk lokal",
}
TOPICS = tuple(TOPIC_WORDS)
COMMON_WORDS = ("pengelolaan layanan masyarakat warga kelurahan desa peningkatan pembangunan "
          "pendampingan program kerja sama swasta operator dinas tim percepatan "
          "instruksi wali kota bupati asn wajib sanksi pemantauan")
COMMON = COMMON_WORDS.split()
TITLE_WORDS = {topic: words.split() for topic, words in TOPIC_WORDS.items()}


def make_cities(n: int, rng: np.random.Generator) -> list[CityProfile]:
    """Return n synthetic cities with Indonesia-like spreads and some missing values."""
    longitude = rng.uniform(95.0, 141.0, n)
    missing = rng.random((n, 5)) < 0.15
    return [
        CityProfile(
            code=f"{11 + i % 84:02d}.{i:05d}",
            name=f"Kota Sintetis {i}",
            kind="kota" if rng.random() < 0.2 else "kabupaten",
            province_code=f"{11 + i % 84:02d}",
            utc_offset=7 if longitude[i] < 115 else 8 if longitude[i] < 130 else 9,
            latitude=float(rng.uniform(-10.0, 5.0)),
            longitude=float(longitude[i]),
            population=None if missing[i, 0] else int(rng.lognormal(12.5, 0.8)),
            area_km2=float(rng.lognormal(7.0, 1.2)),
            fiscal_capacity=None if missing[i, 1] else str(rng.choice(FISCAL_LEVELS)),
            sanitation_access_pct=None if missing[i, 2] else float(rng.uniform(40, 100)),
            drinking_water_access_pct=None if missing[i, 3] else float(rng.uniform(40, 100)),
            slum_area_ha=None if missing[i, 4] else float(rng.lognormal(4.0, 1.0)),
        )
        for i in range(n)
    ]


def sentence(topic: str, n_words: int, rng: np.random.Generator) -> str:
    words = TITLE_WORDS[topic] + COMMON
    weights = np.array([3.0] * len(TITLE_WORDS[topic]) + [1.0] * len(COMMON))
    picked = rng.choice(words, size=n_words, p=weights / weights.sum())
    return " ".join(picked)


def make_practices(cities: list[CityProfile], rng: np.random.Generator) -> list[PracticeDoc]:
    """Return 1-3 practices per city on random topics."""
    practices = []
    for city in cities:
        for topic in rng.choice(TOPICS, size=rng.integers(1, 4), replace=False):
            practices.append(PracticeDoc(
                id=len(practices) + 1, city_code=city.code, topic=str(topic),
                title=sentence(topic, int(rng.integers(3, 7)), rng).capitalize(),
                description=sentence(topic, int(rng.integers(15, 31)), rng),
                maturity=str(rng.choice(MATURITY_LEVELS, p=[0.15, 0.3, 0.35, 0.2])),
                started_year=int(rng.integers(2010, 2025)),
            ))
    return practices


def make_needs(cities: list[CityProfile], n: int, rng: np.random.Generator) -> list[NeedDoc]:
    needs = []
    for i in range(n):
        topic = str(rng.choice(TOPICS))
        needs.append(NeedDoc(
            id=i + 1, city_code=cities[int(rng.integers(len(cities)))].code, topic=topic,
            title=sentence(topic, 4, rng).capitalize(),
            description=sentence(topic, int(rng.integers(8, 20)), rng),
            priority=str(rng.choice(["low", "medium", "high"])),
        ))
    return needs


def misspell(word: str, rng: np.random.Generator) -> str:
    """Drop or swap one inner character of a word of five letters or more."""
    if len(word) < 5:
        return word
    i = int(rng.integers(1, len(word) - 1))
    return word[:i] + word[i + 1:] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2:]


def relevance_mrr(model: MatchModel, cities: list[CityProfile], practices: list[PracticeDoc],
                  n_needs: int, typo_rate: float, rng: np.random.Generator) -> float:
    """Mean reciprocal rank, by the relevance factor, of the practice a need was drawn from.

    Each need keeps a random half of one practice's words (a share of them misspelt) and
    comes from another city; 1.0 means the source practice is always the most relevant.
    """
    ranks = []
    for j in rng.choice(len(practices), n_needs, replace=False):
        source = practices[j]
        words = f"{source.title} {source.description}".split()
        kept = [misspell(w, rng) if rng.random() < typo_rate else w
                for w in words if rng.random() < 0.5] or words[:1]
        mentee = source.city_code
        while mentee == source.city_code:
            mentee = cities[int(rng.integers(len(cities)))].code
        found = model.recommend(mentee, source.topic, " ".join(kept), limit=len(cities))
        by_relevance = sorted(found, key=lambda c: (-_raw_relevance(c), c.code))
        ranks.append(1 + [c.code for c in by_relevance].index(source.city_code))
    return float(np.mean(1 / np.array(ranks)))


def _raw_relevance(candidate) -> float:
    """Relevance before near-ties (engines without near-ties: the relevance factor)."""
    return getattr(candidate, "relevance_raw", candidate.factors["relevance"])


# ---------------------------------------------------------------- labelled cases


def load_cases(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def case_model(data: dict) -> MatchModel:
    """The model of the case fixture: real city codes, profiles from the shipped regions file."""
    regions = {row["code"]: row for row in csv.DictReader(REGIONS.open(encoding="utf-8"))}
    cities = []
    for city in data["cities"]:
        row = regions[city["code"]]
        cities.append(CityProfile(
            code=city["code"], name=row["name"], kind=row["type"].lower(),
            province_code=row["province_code"], utc_offset=int(row["utc_offset"][:3]),
            latitude=float(row["latitude"]), longitude=float(row["longitude"]),
            population=int(row["population"]), area_km2=float(row["area_km2"]),
            fiscal_capacity=city.get("fiscal_capacity"),
            sanitation_access_pct=city.get("sanitation_access_pct"),
            drinking_water_access_pct=city.get("drinking_water_access_pct"),
            slum_area_ha=city.get("slum_area_ha")))
    practices = [PracticeDoc(id=p["id"], city_code=p["city"], topic=p["topic"], title=p["title"],
                             description=p["description"], maturity=p["maturity"],
                             started_year=p.get("started_year")) for p in data["practices"]]
    return MatchModel.build(cities, practices)


def check_case(case: dict, codes: list[str]) -> list[str]:
    """What a ranking gets wrong about a case (empty: it passes)."""
    problems = []
    first = case.get("expect_first")
    if first and (not codes or codes[0] not in first):
        problems.append(f"first is {codes[0] if codes else 'nobody'}, expected one of {first}")
    for above, below in case.get("expect_before", []):
        if above not in codes:
            problems.append(f"{above} missing")
        elif below in codes and codes.index(above) > codes.index(below):
            problems.append(f"{below} above {above}")
    problems += [f"{code} listed" for code in case.get("expect_absent", []) if code in codes]
    if case.get("expect_empty") and codes:
        problems.append(f"{len(codes)} listed, expected none")
    return problems


def service_rules() -> tuple[frozenset[str] | None, bool]:
    """The service's rules on history and feedback in the measured tree: the replication
    outcomes that exclude a pair (None before issue 13's history rule), and whether a "not a
    good match" excludes it. A baseline engine is judged by the rules of its own tree."""
    adopted = None
    if importlib.util.find_spec("matchmaker.matching.history") is not None:
        adopted = importlib.import_module("matchmaker.matching.history").ADOPTED_OUTCOMES
    return adopted, importlib.util.find_spec("matchmaker.matching.feedback") is not None


def case_exclusions(case: dict, adopted: frozenset[str] | None, feedback: bool) -> frozenset[str]:
    """Mentors the service would exclude for a case, as `MatchModel.recommend(exclude=…)`."""
    out = {code for code, outcome in case.get("history", {}).items()
           if adopted is not None and outcome in adopted}
    if feedback:
        out.update(case.get("feedback", []))
    return frozenset(out)


def evaluate_cases(path: Path) -> dict:
    """Run every case; return {case id: {"problems": [...], "top": [first codes]}}."""
    data = load_cases(path)
    model = case_model(data)
    adopted, feedback = service_rules()
    out = {}
    for case in data["cases"]:
        found = model.recommend(case["mentee"], case["topic"], case["need"], limit=len(data["cities"]),
                                exclude=case_exclusions(case, adopted, feedback))
        codes = [c.code for c in found]
        out[case["id"]] = {"problems": check_case(case, codes), "top": codes[:3]}
    return out


def pass_rates(cases: list[dict], results: dict, key: str) -> dict[str, tuple[int, int]]:
    """(passed, total) per value of a case field ("principle" or "style")."""
    rates: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        rates[case[key]][0] += not results[case["id"]]["problems"]
        rates[case[key]][1] += 1
    return {name: (passed, total) for name, (passed, total) in rates.items()}


def percentiles_ms(samples: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(np.array(samples) * 1000, [50, 95])
    return float(p50), float(p95)


def rss_mb() -> float:
    """Current resident set size of this process (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(n: int, queries: int, rng: np.random.Generator) -> dict:
    cities = make_cities(n, rng)
    practices = make_practices(cities, rng)
    before_mb = rss_mb()
    start = time.perf_counter()
    model = MatchModel.build(cities, practices)
    build_s = time.perf_counter() - start
    build_peak_mb = peak_mb()

    asks = make_needs(cities, queries, rng)
    for need in asks[:5]:  # warm the stemmer cache and code paths
        model.recommend(need.city_code, need.topic, need.title)
    latencies, cpu = [], []  # CPU time too: on a shared machine it is the steadier number
    for need in asks:
        start, start_cpu = time.perf_counter(), time.process_time()
        model.recommend(need.city_code, need.topic, f"{need.title}\n{need.description}",
                        limit=10)
        latencies.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)

    context = model._context  # the dense feature matrix the floor multiplies
    vector = rng.standard_normal(context.shape[1])
    floors = []
    for _ in range(queries):
        start = time.perf_counter()
        context @ vector
        floors.append(time.perf_counter() - start)

    row = {"cities": n, "practices": len(practices), "build_s": build_s,
           "latency": percentiles_ms(latencies), "cpu": percentiles_ms(cpu),
           "floor": percentiles_ms(floors),
           "before_mb": before_mb, "build_peak_mb": build_peak_mb}
    if n <= 514:
        needs = make_needs(cities, 500, rng)
        start = time.perf_counter()
        result = model.assign_cohort(needs, capacity={})
        row["cohort_s"] = time.perf_counter() - start
        row["cohort"] = (len(result.pairs), result.total, result.greedy_total)
        row["mrr"] = [relevance_mrr(model, cities, practices, 300, rate, rng) for rate in (0.0, 0.3)]
    row["peak_mb"] = peak_mb()
    return row


def run_worker(args: argparse.Namespace, engine: str | None, *extra: str) -> dict:
    """Run this script's hidden worker in a fresh interpreter, with another engine if given."""
    command = [sys.executable, __file__, "--queries", str(args.queries), "--seed", str(args.seed),
               *extra]
    env = dict(os.environ)
    if engine:  # the exported package comes first on the path, ahead of the editable install
        env["PYTHONPATH"] = engine + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_engine(revision: str, folder: str) -> str:
    """Export the matchmaker package of a git revision into folder; return the import path."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "matchmaker"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return folder


def median_run(runs: list[dict]) -> dict:
    """The run with the median recommendation p50 (the lower middle one for an even count)."""
    return sorted(runs, key=lambda r: r["latency"][0])[(len(runs) - 1) // 2]


def print_quality(cases: list[dict], results: dict[str, dict]) -> None:
    labels = list(results)
    for key in ("principle", "style"):
        print(f"\n| {key} | cases | " + " | ".join(f"pass ({label})" for label in labels) + " |")
        print("|---|---:|" + "---:|" * len(labels))
        rates = {label: pass_rates(cases, result, key) for label, result in results.items()}
        for name in sorted(rates[labels[-1]]):
            total = rates[labels[-1]][name][1]
            cells = " | ".join(f"{rates[label][name][0]}/{total}" for label in labels)
            print(f"| {name} | {total} | {cells} |")
        passed = {label: sum(not r["problems"] for r in result.values())
                  for label, result in results.items()}
        print(f"| **all** | {len(cases)} | " + " | ".join(
            f"**{passed[label]}/{len(cases)} ({100 * passed[label] / len(cases):.0f} %)**"
            for label in labels) + " |")
    for label, result in results.items():
        failed = [(case_id, r) for case_id, r in result.items() if r["problems"]]
        if failed:
            print(f"\nFailed with {label}:")
            for case_id, r in failed:
                print(f"- {case_id}: {'; '.join(r['problems'])} (top: {', '.join(r['top']) or '-'})")


def print_speed(rows: dict[str, list[dict]]) -> None:
    labels = list(rows)
    print("\n| engine | cities | practices | build (s) | recommend p50 / p95 (ms) | cohort 500 needs (s) "
          "| RSS before build (MB) | peak RSS (MB) | floor matvec p50 (ms) | p50 / floor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for i in range(len(rows[labels[0]])):
        for label in labels:
            row = rows[label][i]
            p50, p95 = row["latency"]
            floor = row["floor"][0]
            cohort = f"{row['cohort_s']:.3f}" if "cohort_s" in row else "–"
            print(f"| {label} | {row['cities']:,} | {row['practices']:,} | {row['build_s']:.2f} "
                  f"| {p50:.2f} / {p95:.2f} | {cohort} | {row['before_mb']:.0f} "
                  f"| {row['peak_mb']:.0f} | {floor:.4f} | {p50 / floor:,.0f}× |")
    if len(labels) == 2:
        print()
        for old, new in zip(rows[labels[0]], rows[labels[1]], strict=True):
            print(f"Recommendation p50 at {new['cities']:,} cities: {old['latency'][0]:.2f} ms "
                  f"({labels[0]}) -> {new['latency'][0]:.2f} ms ({labels[1]}), "
                  f"{new['latency'][0] / old['latency'][0]:.2f}×; CPU time p50 "
                  f"{old['cpu'][0]:.2f} -> {new['cpu'][0]:.2f} ms, {new['cpu'][0] / old['cpu'][0]:.2f}×.")
    for label in labels:
        for row in rows[label]:
            if "cohort" in row:
                pairs, total, greedy = row["cohort"]
                print(f"\n[{label}] Cohort at {row['cities']} cities: {pairs} pairs, optimal total "
                      f"{total:.2f} vs greedy {greedy:.2f}.")
            if "mrr" in row:
                clean, typos = row["mrr"]
                print(f"[{label}] Relevance MRR of the source practice at {row['cities']} cities "
                      f"(300 needs drawn from practices): {clean:.3f} verbatim, {typos:.3f} with 30 % "
                      f"of words misspelt.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="514,10000,100000",
                        help="comma list of city counts; empty: quality only")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--baseline", metavar="GIT_REV",
                        help="also measure the engine of this revision (e.g. main), back to back")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the speed runs; the table shows each engine's median-p50 run")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # one size, JSON out
    parser.add_argument("--worker-cases", type=Path, help=argparse.SUPPRESS)  # cases, JSON out
    args = parser.parse_args()

    if args.worker:
        rng = np.random.default_rng([args.seed, args.worker])
        print(json.dumps(bench(args.worker, args.queries, rng)))
        return
    if args.worker_cases:
        print(json.dumps(evaluate_cases(args.worker_cases)))
        return

    with tempfile.TemporaryDirectory(prefix="bench-matching-") as folder:
        engines: dict[str, str | None] = {}
        if args.baseline:
            engines[f"baseline {args.baseline}"] = export_engine(args.baseline, folder)
        engines["this tree"] = None
        cases = load_cases(args.cases)["cases"]
        quality = {label: run_worker(args, engine, "--worker-cases", str(args.cases))
                   for label, engine in engines.items()}
        print(f"Labelled cases: {args.cases.name}, {len(cases)} needs.")
        print_quality(cases, quality)
        sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
        runs: dict[str, dict[int, list[dict]]] = {label: defaultdict(list) for label in engines}
        for _ in range(args.rounds):
            for n in sizes:  # back to back per size, so both engines see the same machine load
                for label, engine in engines.items():
                    runs[label][n].append(run_worker(args, engine, "--worker", str(n)))
        if sizes:
            print_speed({label: [median_run(runs[label][n]) for n in sizes] for label in engines})
            if args.rounds > 1:
                for n in sizes:
                    for label in engines:
                        p50s = ", ".join(f"{r['latency'][0]:.2f}" for r in runs[label][n])
                        cpus = ", ".join(f"{r['cpu'][0]:.2f}" for r in runs[label][n])
                        print(f"[{label}] p50 at {n:,} cities in each round (ms): {p50s}; "
                              f"CPU time: {cpus}")


if __name__ == "__main__":
    main()
