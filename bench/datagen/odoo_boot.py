"""Odoo bootstrap for the command line (library callers already have an env)."""

# Odoo is imported inside functions: the CLI first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

import contextlib
import importlib.metadata
import sys
import types
from collections.abc import Sequence
from pathlib import Path

# --------------------------------------------------------------------------------------------
# Odoo bootstrap (CLI only; library callers already have an env)
# --------------------------------------------------------------------------------------------


def load_odoo(odoo_src: str | Path):
    """Import Odoo from a source checkout.

    Odoo 18 still imports ``pkg_resources``, which recent setuptools no longer ship; a tiny
    stand-in backed by ``importlib.metadata`` is installed when it is missing, so the
    generator runs on a plain venv with Odoo's requirements.
    """
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        sys.modules["pkg_resources"] = _pkg_resources_shim()
    src = str(Path(odoo_src).resolve())
    if src not in sys.path:
        sys.path.insert(0, src)
    import odoo

    return odoo


def _pkg_resources_shim() -> types.ModuleType:
    shim = types.ModuleType("pkg_resources")

    class DistributionNotFound(Exception):
        pass

    class VersionConflict(Exception):
        pass

    def get_distribution(name):
        try:
            return importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise DistributionNotFound(name) from exc

    shim.DistributionNotFound = DistributionNotFound
    shim.VersionConflict = VersionConflict
    shim.get_distribution = get_distribution
    return shim


def default_addons_path(odoo_src: str | Path) -> str:
    src = Path(odoo_src)
    paths = [src / "odoo" / "addons", src / "addons"]
    return ",".join(str(p) for p in paths if p.is_dir())


def configure_odoo(odoo, db: str, addons_path: str, extra: Sequence[str] = ()) -> None:
    """Parse an odoo-bin style configuration so registries and loggers behave as usual."""
    args = ["-d", db, f"--addons-path={addons_path}", "--log-level=warn", *extra]
    odoo.tools.config.parse_config(args, setup_logging=True)


def create_database(odoo, db: str) -> None:
    """Create and initialise ``db`` like ``odoo-bin -d db -i MODULES --stop-after-init``.

    ``configure_odoo`` must have been given the ``-i MODULES --without-demo=all`` options.
    """
    odoo.service.db._create_empty_database(db)
    odoo.tools.config["init"]["base"] = True
    if odoo.service.server.preload_registries([db]):
        raise RuntimeError(f"installing the modules into {db} failed (see the log above)")


@contextlib.contextmanager
def odoo_env(odoo, db: str, commit: bool = False):
    """Superuser environment on ``db``; with ``commit`` the work is committed when the block
    succeeds, otherwise it is rolled back."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:  # commits on a clean exit
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            yield env
            env.flush_all()
        finally:
            if not commit:
                cr.rollback()
