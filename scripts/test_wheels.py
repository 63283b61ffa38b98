"""What the wheels hold: run by scripts/test --wheels on the wheels it just built
(CREDIT_WHEELS_DIR); skipped when that is not set.

The addon's wheel must hold the whole addon under odoo/addons/credit_management/ (every file
the manifest loads, translations, the icon, the domain core, the tests, as OCA's wheels do)
and none of the repository's development folders; each bridge is its own wheel.
"""

import ast
import email.parser
import os
import pathlib
import subprocess
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
ADDON = "credit_management"
DEVELOPMENT = ("bench/", "bridges/", "scripts/", ".ci/")
WHEELS_DIR = os.environ.get("CREDIT_WHEELS_DIR")

pytestmark = pytest.mark.skipif(not WHEELS_DIR, reason="CREDIT_WHEELS_DIR not set")

BRIDGES = sorted(path.parent.name for path in REPO.glob("bridges/*/__manifest__.py"))


def manifest(folder):
    return ast.literal_eval((folder / "__manifest__.py").read_text(encoding="utf-8"))


def wheel_of(module):
    found = sorted(pathlib.Path(WHEELS_DIR).glob(f"odoo_addon_{module}-*-py3-none-any.whl"))
    assert len(found) == 1, f"one wheel of {module} expected in {WHEELS_DIR}, found {found}"
    return found[0]


def addon_files(module):
    """The files of the wheel under odoo/addons/<module>/, relative to that folder."""
    prefix = f"odoo/addons/{module}/"
    with zipfile.ZipFile(wheel_of(module)) as archive:
        names = archive.namelist()
    return {name[len(prefix) :] for name in names if name.startswith(prefix)}


def metadata(module):
    with zipfile.ZipFile(wheel_of(module)) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode())


def git_files(folder):
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    return {name for name in listed if name and (folder / name).is_file()}


def test_the_addon_wheel_is_odoo_addon_credit_management_at_the_manifest_version():
    meta = metadata(ADDON)
    assert meta["Name"] == "odoo-addon-credit_management"
    # whool's post-version: the manifest's version, then the commits since it changed
    assert meta["Version"].startswith(manifest(REPO)["version"])


def test_everything_in_the_addon_wheel_lands_in_the_odoo_addons_namespace():
    with zipfile.ZipFile(wheel_of(ADDON)) as archive:
        names = archive.namelist()
    outside = [
        n
        for n in names
        if not n.startswith("odoo/addons/credit_management/") and "dist-info" not in n
    ]
    assert outside == []


def test_every_data_and_demo_file_of_the_manifest_is_in_the_wheel():
    files = addon_files(ADDON)
    wanted = manifest(REPO)["data"] + manifest(REPO)["demo"]
    assert [name for name in wanted if name not in files] == []


def test_the_manifest_translations_icon_views_and_core_are_in_the_wheel():
    files = addon_files(ADDON)
    for name in (
        "__manifest__.py",
        "__init__.py",
        "i18n/zh_CN.po",
        "i18n/credit_management.pot",
        "static/description/icon.png",
        "views/menus.xml",
        "credit_management/__init__.py",
        "tests/__init__.py",
    ):
        assert name in files, name
    views = {path.relative_to(REPO).as_posix() for path in REPO.glob("views/*.xml")}
    assert views <= files


def test_the_development_folders_and_settings_are_not_in_the_wheel():
    files = addon_files(ADDON)
    assert [name for name in files if name.startswith(DEVELOPMENT)] == []
    for name in ("pyproject.toml", "PKG-INFO", ".gitignore", ".pylintrc", ".ruff.toml"):
        assert name not in files


def test_the_addon_wheel_holds_exactly_the_addon_files_of_the_repository():
    expected = {
        name
        for name in git_files(REPO)
        if not name.startswith(DEVELOPMENT)
        and name
        not in {"pyproject.toml", ".gitignore", ".pylintrc", ".ruff.toml", "requirements-dev.txt"}
    }
    assert addon_files(ADDON) == expected


def test_the_addon_wheel_requires_odoo_18_and_xlsxwriter_and_no_other_addon_wheel():
    requires = metadata(ADDON).get_all("Requires-Dist")
    # mail, account and sale_management are Odoo's own: part of the `odoo` distribution
    assert sorted(requires) == ["odoo==18.0.*", "xlsxwriter"]


def test_every_bridge_has_the_whool_pyproject_of_the_addon():
    root = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'build-backend = "whool.buildapi"' in root
    for bridge in BRIDGES:
        path = REPO / "bridges" / bridge / "pyproject.toml"
        assert path.is_file(), f"bridges/{bridge} has no pyproject.toml"
        assert path.read_text(encoding="utf-8") == root, f"bridges/{bridge}/pyproject.toml"


@pytest.mark.parametrize("bridge", BRIDGES)
def test_each_bridge_is_its_own_wheel_requiring_the_addon_wheel(bridge):
    folder = REPO / "bridges" / bridge
    meta = metadata(bridge)
    assert meta["Name"] == f"odoo-addon-{bridge}"
    assert meta["Version"].startswith(manifest(folder)["version"])
    assert "odoo-addon-credit_management==18.0.*" in meta.get_all("Requires-Dist")
    assert addon_files(bridge) == git_files(folder) - {"pyproject.toml"}
