"""The reminder sweep next to a plain smtplib loop, in the same run, against one aiosmtpd server.

Usage: python benchmarks/bench_sweep.py [--count 10000] [--db postgres,sqlite]

For each database: a fresh database with `count` due reminders (bench_reminders.prepare: one
programme, 100 Pokja members, count/100 sessions), one `send_due_reminders` in its own process,
then, to the same server and also in its own process, a plain loop that sends `count` messages
of the same mean size in bytes on one smtplib connection (an EmailMessage per message: headers, a text body,
`send_message`). Checks
that every reminder arrived exactly once and prints a Markdown table with the ratio.
"""

import argparse
import multiprocessing
import smtplib
import socket
import sys
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's matchmaker

from aiosmtpd.controller import Controller  # noqa: E402
from bench_reminders import Counting, database, prepare, quiet, sweep  # noqa: E402

LINE = "Pengingat: Sesi 3 L2T2 Kendari untuk Blitar, Senin 7 Januari 2030 09:00 WIB / 10:00 WITA.\n"


class Sizing(Counting):
    """Counts Message-IDs and bytes, so the plain loop can send messages of the same size."""

    def __init__(self):
        super().__init__()
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        self.bytes += len(envelope.content)
        return await super().handle_DATA(server, session, envelope)


def plain_loop(port: int, count: int, size: int, queue) -> None:
    """Seconds for `count` messages of about `size` bytes through one smtplib connection, built
    one by one."""
    body = LINE * max(1, (size - 300) // len(LINE))
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as conn:
        for i in range(count):
            message = EmailMessage()
            message["Subject"] = f"Pengingat {i}"
            message["From"] = "matchmaker@example.id"
            message["To"] = f"pokja{i % 100}@blitar.example.id"
            message["Message-ID"] = f"<plain-{i}@bench>"
            message.set_content(body)
            conn.send_message(message)
    queue.put(time.perf_counter() - started)


def run(kind: str, count: int) -> dict:
    quiet()
    handler = Sizing()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = database(kind, tmp)
        try:
            prepare(kind, url, port, tmp, count)
            ctx = multiprocessing.get_context("spawn")
            queue = ctx.Queue()
            process = ctx.Process(target=sweep, args=(kind, url, port, tmp, queue))
            process.start()
            sent, sweep_s = queue.get()
            process.join()
            time.sleep(0.2)
            swept = Counter(handler.ids)
            size = handler.bytes // max(1, len(handler.ids))
            handler.ids.clear()
            # In a process of its own too, so neither shares an interpreter with the server.
            process = ctx.Process(target=plain_loop, args=(port, count, size, queue))
            process.start()
            loop_s = queue.get()
            process.join()
            time.sleep(0.2)
            looped = len(handler.ids)
        finally:
            controller.stop()
            drop()
    return {"db": kind, "count": count, "sent": sent, "distinct": len(swept),
            "doubles": sum(n - 1 for n in swept.values()), "sweep_s": sweep_s,
            "sweep_rate": sum(swept.values()) / sweep_s, "loop_s": loop_s,
            "loop_rate": looped / loop_s, "size": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--db", default="postgres,sqlite")
    args = parser.parse_args()
    print("| database | reminders | bytes/message | sweep (s) | sweep msg/s | plain loop msg/s | ratio "
          "| doubles |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in args.db.split(","):
        r = run(kind, args.count)
        print(f"| {r['db']} | {r['count']} | {r['size']} | {r['sweep_s']:.1f} | {r['sweep_rate']:.0f} "
              f"| {r['loop_rate']:.0f} | {r['sweep_rate'] / r['loop_rate']:.2f}× | {r['doubles']} |",
              flush=True)
        if r["distinct"] != r["count"] or r["doubles"]:
            sys.exit(f"FAILED: {r['distinct']} distinct of {r['count']}, {r['doubles']} doubled")


if __name__ == "__main__":
    main()
