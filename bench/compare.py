"""Run one benchmark on two clones of the addon, side by side in one run.

For a change that must not slow anything down (a refactoring) the baseline is the code
before it, which cannot share a process with the code after it. This script takes two
clones (e.g. ``git worktree add /tmp/base <commit>``), creates one database per clone with
the same data (``--create`` and the given options), then runs the measurement on each clone
in turn, alternating which goes first, for ``--rounds`` rounds, printing the load
(``uptime``) before every run. At the end: for every figure both clones print, the median
over the rounds of each clone and the ratio new / base.

    PY=~/.cache/credit_management/venv/bin/python
    $PY bench/compare.py --base /tmp/base --new . --rounds 3 confirm --lines 20000 --orders 200

The figure of a line is its first number after the label (the median in every script's
table), plus the summary lines of the confirmation and dunning benchmarks.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

SCRIPTS = {
    "confirm": "bench_confirm.py",
    "aging": "bench_aging.py",
    "receivables": "bench_receivables.py",
    "statement": "bench_statement.py",
    "dunning": "bench_dunning.py",
    "dunning_send": "bench_dunning_send.py",
}
TABLE_LINE = re.compile(
    r"^(?P<label>[A-Za-z_][^\n]*?[^\s])\s{2,}(?:median\s+)?(?P<value>-?\d[\d,]*(?:\.\d+)?)\b"
)
SUMMARY = [
    (re.compile(r"^added by the credit checks[^:]*:\s*(-?[\d.]+)"), "added by the checks (ms)"),
    (re.compile(r"^median of the per-round differences:\s*(-?[\d.]+)"), "paired difference (ms)"),
    (
        re.compile(r"^ladder triggers per updated open item:\s*(-?[\d.]+)"),
        "ladder triggers per item (µs)",
    ),
    (
        re.compile(r"^ladder triggers per updated open item \(one per statement\):\s*(-?[\d.]+)"),
        "ladder triggers per item, one per statement (µs)",
    ),
    (re.compile(r"full run\s+([\d.]+)s"), "dunning full run (s)"),
    (re.compile(r"re-run\s+([\d.]+)s"), "dunning re-run (s)"),
    (re.compile(r"^median of \d+: new ([\d.]+)/s"), "sending, new (comm./s)"),
]
SKIP = re.compile(r"^(seconds|ms|round \d|\[)")


def figures(output: str) -> dict[str, float]:
    found = {}
    for line in output.splitlines():
        line = line.rstrip()
        for pattern, label in SUMMARY:  # the last match wins: the medians come last
            match = pattern.search(line)
            if match:
                found[label] = float(match.group(1))
        if SKIP.match(line):
            continue
        match = TABLE_LINE.match(line)
        if match:
            found.setdefault(match["label"], float(match["value"].replace(",", "")))
    return found


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def run(clone: Path, script: str, db: str, options: list[str], create: bool) -> str:
    command = [sys.executable, str(clone / "bench" / script), "--db", db, *options]
    if create:
        command.append("--create")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode})")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="clone with the baseline")
    parser.add_argument("--new", type=Path, required=True, help="clone with the new code")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-create", action="store_true", help="reuse the databases")
    parser.add_argument("benchmark", choices=sorted(SCRIPTS))
    parser.add_argument("options", nargs=argparse.REMAINDER, help="options of the benchmark")
    args = parser.parse_args(argv)
    script = SCRIPTS[args.benchmark]
    clones = {"base": args.base.resolve(), "new": args.new.resolve()}
    dbs = {name: f"bench_cmp_{name}_{args.benchmark}" for name in clones}
    for name, clone in clones.items():
        print(f"{name}: {clone} ({_commit(clone)}), database {dbs[name]}", flush=True)
    if not args.no_create:
        for name, clone in clones.items():
            print(f"[{uptime()}] creating {dbs[name]}", flush=True)
            run(clone, script, dbs[name], args.options, create=True)
    results = defaultdict(lambda: defaultdict(list))
    for index in range(args.rounds):
        order = ("base", "new") if index % 2 == 0 else ("new", "base")
        for name in order:
            print(f"round {index + 1} {name:<4} [{uptime()}]", flush=True)
            for label, value in figures(
                run(clones[name], script, dbs[name], args.options, create=False)
            ).items():
                results[label][name].append(value)
    print(f"\n{args.benchmark}: median over {args.rounds} rounds [{uptime()}]")
    print(f"{'figure':<58}{'base':>10}{'new':>10}{'new/base':>10}")
    for label, values in results.items():
        if not (values["base"] and values["new"]):
            continue
        base, new = statistics.median(values["base"]), statistics.median(values["new"])
        ratio = f"{new / base:>10.2f}" if base else f"{'-':>10}"
        print(f"{label[:57]:<58}{base:>10.2f}{new:>10.2f}{ratio}")
    return 0


def _commit(clone: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(clone), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()[:60]


if __name__ == "__main__":
    sys.exit(main())
