"""What every benchmark script shares: the options, the database it measures (checked,
created, filled once, vacuumed) and the credit gate bypassed while the generator fills it.

A script defines ``fill(env, args)`` and ``has_data(env)`` and calls
:func:`prepare_database`; then it measures in ``datagen.odoo_env(odoo, args.db)`` (rolled
back at the end), usually as the administrator (:func:`as_admin`)."""

# Odoo is imported inside functions: load_odoo() first puts --odoo-src on sys.path.

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import datagen

ADDON = "credit_management"
MODULES = "account,sale_management,credit_management"
DB_PREFIX = "bench_"
REPO = Path(__file__).resolve().parent.parent


def out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def bypass_credit_gate(self, confirmed=False):
    """``sale.order._credit_gate`` bypassed (benchmarks only, through ``mock.patch``):
    nothing held, no change of a confirmed order refused."""
    return [] if confirmed else self.browse()


@contextlib.contextmanager
def credit_gate_bypassed(env):
    """The generator's prototype sale order is confirmed by the ORM; with the addon
    installed the credit gate would hold it (the prototype customer has no credit file)
    and the bulk orders would be cloned as quotations. Fills run inside this block."""
    with mock.patch.object(type(env["sale.order"]), "_credit_gate", bypass_credit_gate):
        yield


def credit_home() -> Path:
    return Path(os.environ.get("CREDIT_HOME") or Path.home() / ".cache" / ADDON)


def addons_path(odoo_src: str) -> str:
    """A folder outside the clone holding a ``credit_management`` link to this clone (one
    folder per clone, so benchmarks of several clones do not relink each other's), plus
    Odoo's."""
    folder = credit_home() / "bench" / f"addons-{REPO.name}"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / ADDON
    if not (link.is_symlink() and link.resolve() == REPO):
        if link.is_symlink():
            link.unlink()
        link.symlink_to(REPO, target_is_directory=True)
    return ",".join([str(folder), datagen.default_addons_path(odoo_src)])


def add_database_arguments(parser, default_db: str) -> None:
    """The options every benchmark script has: ``--odoo-src``, ``--db``, ``--create``,
    ``--update``, ``--drop``."""
    parser.add_argument(
        "--odoo-src",
        default=os.environ.get("ODOO_SRC", "/opt/odoo18"),
        help="Odoo 18 source (default: $ODOO_SRC or /opt/odoo18)",
    )
    parser.add_argument(
        "--db", default=default_db, help=f"database, named {DB_PREFIX}* (default: %(default)s)"
    )
    parser.add_argument(
        "--create",
        action="store_true",
        help="(re)create the database with credit_management, no demo data, and fill it",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help=f"update {ADDON} in the existing database first (-u), and time it",
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")


def database_exists(odoo, db: str) -> bool:
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        return bool(cr.fetchone())


def drop_database(odoo, db: str) -> None:
    if not db.startswith(DB_PREFIX):
        raise SystemExit(f"refusing to drop {db!r}: only {DB_PREFIX}* databases")
    odoo.service.db.exp_drop(db)


def drop_benchmark_database(odoo, db: str) -> None:
    """``--drop``: forget the registry of ``db`` and drop it (``bench_*`` names only)."""
    odoo.modules.registry.Registry.delete(db)
    drop_database(odoo, db)
    out(f"dropped {db}")


def vacuum_analyze(odoo, db: str) -> None:
    """VACUUM ANALYZE, as autovacuum would do on a database in use: bulk-loaded tables get
    their statistics and visibility map before anything is timed."""
    with contextlib.closing(odoo.sql_db.db_connect(db).cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE")


def prepare_database(
    args,
    has_data: Callable,
    fill: Callable,
    modules: str = MODULES,
    after_fill: Callable | None = None,
):
    """What a benchmark does before it measures: check ``--db``, load and configure Odoo,
    (re)create the database with ``modules`` on ``--create`` or update the addon on
    ``--update``, fill it once (``fill(env, args)`` with the credit gate bypassed,
    committed, when ``has_data(env)`` says it is empty), run ``after_fill(env)`` (committed)
    and VACUUM ANALYZE. Returns the loaded ``odoo`` package."""
    if not args.db.startswith(DB_PREFIX):
        raise SystemExit(f"--db must start with {DB_PREFIX!r}")
    odoo = datagen.load_odoo(args.odoo_src)
    extra = [f"--data-dir={credit_home() / 'odoo-data'}"]
    if args.create:
        extra += ["-i", modules, "--without-demo=all", "--stop-after-init"]
    elif args.update:
        extra += ["-u", ADDON, "--stop-after-init"]
    datagen.configure_odoo(odoo, args.db, addons_path(args.odoo_src), extra)
    if args.create:
        if database_exists(odoo, args.db):
            drop_database(odoo, args.db)
            out(f"dropped the previous {args.db}")
        start = time.perf_counter()
        datagen.create_database(odoo, args.db)
        out(f"created {args.db} with {modules} in {time.perf_counter() - start:.1f}s")
    elif not database_exists(odoo, args.db):
        raise SystemExit(f"no database {args.db}: use --create")
    elif args.update:
        start = time.perf_counter()
        if odoo.service.server.preload_registries([args.db]):
            raise SystemExit(f"updating {ADDON} in {args.db} failed")
        out(f"updated {ADDON} in {time.perf_counter() - start:.1f}s")
    with datagen.odoo_env(odoo, args.db) as env:
        filled = has_data(env)
    if not filled:
        start = time.perf_counter()
        with datagen.odoo_env(odoo, args.db, commit=True) as env, credit_gate_bypassed(env):
            fill(env, args)
        out(f"filled and committed in {time.perf_counter() - start:.1f}s")
    if after_fill:
        with datagen.odoo_env(odoo, args.db, commit=True) as env:
            after_fill(env)
    start = time.perf_counter()
    vacuum_analyze(odoo, args.db)
    out(f"VACUUM ANALYZE in {time.perf_counter() - start:.1f}s")
    return odoo


def as_admin(root_env):
    """The environment of the administrator, with its context (language, company)."""
    admin = root_env.ref("base.user_admin")
    return root_env(user=admin.id, context=admin.context_get())


def add_data_arguments(parser, customers: int, invoices_per_customer: int) -> None:
    """The generator's options of a script filled by :func:`generated`."""
    parser.add_argument(
        "--customers",
        type=int,
        default=customers,
        help="generated customers (default: %(default)s)",
    )
    parser.add_argument(
        "--invoices-per-customer",
        type=int,
        default=invoices_per_customer,
        help="(default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1, help="data (default: %(default)s)")


def generated(customer_name: str | None = None, **knobs) -> tuple[Callable, Callable]:
    """``(has_data, fill)`` of a script whose data is ``datagen.generate`` with the options
    of :func:`add_data_arguments` and ``knobs``; its customers are named ``customer_name``
    N when given (so several scripts can share a database), else any generated ones count."""
    if customer_name:
        knobs["customer_name"] = customer_name

    def has_data(env) -> bool:
        if not customer_name:
            return bool(datagen.bench_partner_ids(env))
        return bool(
            env["res.partner"].search_count([("name", "=like", customer_name + " %")], limit=1)
        )

    def fill(env, args) -> None:
        result = datagen.generate(
            env,
            customers=args.customers,
            invoices_per_customer=args.invoices_per_customer,
            seed=args.seed,
            **knobs,
        )
        out(result.summary())

    return has_data, fill
