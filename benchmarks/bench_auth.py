"""Benchmark what an attacker can time: sign-in and reset answers for known and unknown e-mails.

Usage: python benchmarks/bench_auth.py [--rounds 40]

Starts the app with the production password hash (pbkdf2:sha256:600000) on a werkzeug threaded
server over a fresh SQLite database, makes one account, then alternates requests for it and for
an address with no account, each from its own loopback address so that throttling never kicks
in, and prints the median and spread of each as a Markdown table. The two columns of a row
should match to within noise: a gap would tell an attacker which addresses have accounts.
"""

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from config import Config, TestingConfig  # noqa: E402
from matchmaker import create_app  # noqa: E402
from matchmaker.auth import services  # noqa: E402
from matchmaker.extensions import db  # noqa: E402

KNOWN, UNKNOWN = "ada@example.id", "tidak-ada@example.id"
PASSWORD = "correct-horse-battery"


def timed_post(port: int, path: str, fields: dict, source: str) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, source_address=(source, 0))
    start = time.perf_counter()
    connection.request("POST", path, body=urlencode(fields),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    assert response.status in (302, 401), response.status
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())

    class Bench(TestingConfig):
        TESTING = False
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'bench.sqlite'}"
        INSTANCE_DIR = folder
        MAIL_OUTBOX_DIR = str(folder / "outbox")
        PASSWORD_HASH_METHOD = Config.PASSWORD_HASH_METHOD
        RESET_MAX_PER_EMAIL = 10_000  # the benchmark measures answers, not the throttle
        LOGIN_ACCOUNT_MAX_FAILURES = 10_000

    app = create_app(Bench)
    with app.app_context():
        upgrade()
        services.create_user(KNOWN, "viewer", password=PASSWORD)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port

    cases = {
        "sign-in, wrong password": ("/login", lambda email: {"email": email, "password": "wrong-guess-123"}),
        "reset request": ("/forgot-password", lambda email: {"email": email}),
    }
    print(f"{args.rounds} requests each, {Config.PASSWORD_HASH_METHOD}\n")
    print("| request | known e-mail: median (ms) | unknown e-mail: median (ms) | difference (ms) "
          "| stdev (ms) |")
    print("|---|---|---|---|---|")
    for label, (path, fields) in cases.items():
        times = {KNOWN: [], UNKNOWN: []}
        for i in range(args.rounds):
            for email in (KNOWN, UNKNOWN):
                source = f"127.0.{1 + i // 200}.{1 + i % 200}"
                times[email].append(timed_post(port, path, fields(email), source) * 1000)
        known, unknown = statistics.median(times[KNOWN]), statistics.median(times[UNKNOWN])
        spread = statistics.stdev(times[KNOWN] + times[UNKNOWN])
        print(f"| {label} | {known:.1f} | {unknown:.1f} | {known - unknown:+.1f} | {spread:.1f} |")
    server.shutdown()


if __name__ == "__main__":
    main()
