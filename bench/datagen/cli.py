"""The command line of the generator."""

# Odoo is imported inside functions: the CLI first puts --odoo-src on sys.path.

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date

from .bulk import generate
from .checks import check, self_test
from .odoo_boot import configure_odoo, create_database, default_addons_path, load_odoo, odoo_env
from .params import CheckFailed, Knobs

# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def _knobs_from_args(args) -> Knobs:
    values = {}
    for name in Knobs.__dataclass_fields__:
        value = getattr(args, name, None)
        if value is not None:
            values[name] = value
    return Knobs(**values)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Bulk-generate credit-management benchmark data into an Odoo 18 database.",
    )
    parser.add_argument("--odoo-src", required=True, help="Odoo 18 source checkout")
    parser.add_argument("--db", required=True, help="database name")
    parser.add_argument("--addons-path", help="default: the checkout's addons folders")
    parser.add_argument(
        "--create", action="store_true", help="create the database, install --modules first"
    )
    parser.add_argument("--modules", default="account,sale_management", help="for --create")
    parser.add_argument("--no-fill", action="store_true", help="do not generate data")
    parser.add_argument("--check", action="store_true", help="run the validity check")
    parser.add_argument("--check-sample", type=int, default=40, help="customers to sample")
    parser.add_argument(
        "--self-test", action="store_true", help="corrupt values, require the check to fail"
    )
    defaults = Knobs()
    for name in Knobs.__dataclass_fields__:
        option = "--" + name.replace("_", "-")
        if name == "as_of":
            parser.add_argument(option, type=date.fromisoformat, help="default: today")
            continue
        default = getattr(defaults, name)
        parser.add_argument(option, type=type(default), help=f"default: {default}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    odoo = load_odoo(args.odoo_src)
    addons_path = args.addons_path or default_addons_path(args.odoo_src)
    extra = ["-i", args.modules, "--without-demo=all", "--stop-after-init"] if args.create else []
    configure_odoo(odoo, args.db, addons_path, extra)
    if args.create:
        t0 = time.perf_counter()
        create_database(odoo, args.db)
        _out(f"created {args.db} with {args.modules} in {time.perf_counter() - t0:.1f}s")
    knobs = _knobs_from_args(args)
    partner_ids = None
    if not args.no_fill:
        t0 = time.perf_counter()
        with odoo_env(odoo, args.db, commit=True) as env:
            result = generate(env, knobs)
        _out(result.summary())
        _out(f"committed, wall time {time.perf_counter() - t0:.1f}s")
        partner_ids = result.partner_ids
    with odoo_env(odoo, args.db) as env:
        _out(f"database size: {database_size(env)}")
        if args.check:
            try:
                _out(str(check(env, partner_ids, sample=args.check_sample, seed=knobs.seed)))
            except CheckFailed as exc:
                _out(f"CHECK FAILED\n{exc}")
                return 1
            _out("check passed")
        if args.self_test:
            try:
                _out("\n".join(self_test(env, partner_ids)))
            except CheckFailed as exc:
                _out(f"SELF-TEST FAILED: {exc}")
                return 1
            _out("self-test passed")
    return 0


def database_size(env) -> str:
    env.cr.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
    return env.cr.fetchone()[0]


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
