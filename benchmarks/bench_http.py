"""HTTP throughput and latency of the main pages and API reads, next to a minimal endpoint.

Usage: python benchmarks/bench_http.py [--seconds 10] [--connections 20] [--workers 2]
                                       [--only /api/v1/cities/74.71,...] [--page-cache-seconds N]

Everything is started here: a fresh PostgreSQL database (TEST_PG_URL's server) migrated and
loaded with the demo data, Matchmaker under gunicorn, and `benchmarks/minimal_app.py` (a
Flask-SQLAlchemy endpoint reading one city row) under the same gunicorn settings. Each URL is
loaded with wrk for the same time and connections; the minimal endpoint is measured first and
last, and each row's ratio is against the mean of the two, so the table is comparable across
runs on a machine whose speed drifts. Prints a Markdown table: rps, p50 / p95 / p99 in ms.

Each URL is read again and again by one signed-in user, as wrk does, so with the page cache on
(the default) the table measures repeat reads served from it; `--page-cache-seconds 0` renders
every request and measures first reads. The session cookie is taken the way a browser keeps it:
after a page that gave the session its CSRF secret, with the same User-Agent wrk then sends.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
FACILITATOR = "fasilitator@demo.id"
USER_AGENT = "bench_http"
PASSWORD = "demo-matchmaker"
API = ["/api/v1/cities/74.71", "/api/v1/cities?q=kota", "/api/v1/programmes",
       "/api/v1/lessons?q=asn", "/api/v1/cities/35.72/recommendations?topic=wastewater"]
PAGES = ["/cities", "/cities/74.71", "/programmes", "/dashboard", "/knowledge?q=asn", "/match",
         "/match?city=35.72&topic=wastewater"]
LUA = """
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %f, "errors": %d, "p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin_conninfo() -> str:
    u = make_url(PG_SERVER)
    return f"host={u.host} port={u.port or 5432} user={u.username} dbname={u.database}"


def flask(env: dict, *args: str) -> str:
    return subprocess.run([str(BIN / "flask"), "--app", "matchmaker", *args], env=env, cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout


def start_gunicorn(env: dict, port: int, workers: int, app: str, chdir: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", str(chdir),
         "--log-level", "warning", app], env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn {app} did not start on {port}")


def session_cookie(base: str) -> str:
    """Sign in through the form (with its CSRF token), open one page, return the Cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]  # the session remembers it (Flask-Login)
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": FACILITATOR, "password": PASSWORD,
                                   "csrf_token": token}).encode()
    opener.open(f"{base}/login", data=data).read()
    opener.open(f"{base}/cities").read()  # as in a browser, a page gives the session its CSRF secret
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def check(url: str, header: str) -> int:
    name, value = header.split(": ", 1)
    request = urllib.request.Request(url, headers={name: value})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def load(url: str, header: str, seconds: int, connections: int, script: Path) -> dict:
    check(url, header)  # warm the workers: caches, the matching model
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
                          "-H", header, "-H", f"User-Agent: {USER_AGENT}", url],
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="comma list of paths to measure")
    parser.add_argument("--page-cache-seconds", type=int, default=None,
                        help="Matchmaker's PAGE_CACHE_SECONDS; 0 measures every request rendered")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    name = f"bench_http_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    workdir = Path(tempfile.mkdtemp(prefix="bench_http_"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url, "SECRET_KEY": "b" * 64,
           "SCHEDULER_ENABLED": "0", "MATCHMAKER_INSTANCE": str(workdir),
           "MATCHMAKER_ENV": "development"}
    if args.page_cache_seconds is not None:
        env["PAGE_CACHE_SECONDS"] = str(args.page_cache_seconds)
    processes = []
    try:
        print("== migrating and loading the demo data", file=sys.stderr)
        flask(env, "db", "upgrade")
        flask(env, "demo")
        token = flask(env, "users", "token", FACILITATOR).strip().splitlines()[-1]
        app_port, ref_port = free_port(), free_port()
        print(f"== gunicorn, {args.workers} workers each", file=sys.stderr)
        processes.append(start_gunicorn(env, app_port, args.workers, "matchmaker:create_app()", ROOT))
        processes.append(start_gunicorn(env, ref_port, args.workers, "minimal_app:create_app()",
                                        ROOT / "benchmarks"))
        base = f"http://127.0.0.1:{app_port}"
        bearer = f"Authorization: Bearer {token}"
        cookie = f"Cookie: {session_cookie(base)}"
        script = workdir / "report.lua"
        script.write_text(LUA)
        targets = [(p, bearer) for p in API] + [(p, cookie) for p in PAGES]
        if args.only:
            wanted = set(args.only.split(","))
            targets = [t for t in targets if t[0] in wanted]
        reference = f"http://127.0.0.1:{ref_port}/city/74.71"
        rows = [("minimal endpoint (first)", load(reference, "X-Bench: 1", args.seconds,
                                                  args.connections, script))]
        for path, header in targets:
            status = check(base + path, header)
            print(f"== {path} ({status})", file=sys.stderr)
            rows.append((path, load(base + path, header, args.seconds, args.connections, script)))
        rows.append(("minimal endpoint (last)", load(reference, "X-Bench: 1", args.seconds,
                                                     args.connections, script)))
        floor = (rows[0][1]["rps"] + rows[-1][1]["rps"]) / 2
        cache = "default" if args.page_cache_seconds is None else args.page_cache_seconds
        print(f"\n{args.connections} connections, {args.workers} gunicorn workers, {args.seconds} s each, "
              f"PostgreSQL, PAGE_CACHE_SECONDS {cache}\n")
        print("| what | rps | p50 ms | p95 ms | p99 ms | errors | ratio to minimal |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, r in rows:
            print(f"| `{label}` | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
                  f"{r['errors']} | {r['rps'] / floor:.2f}× |")
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
        with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
