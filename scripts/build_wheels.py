"""Build the addon and each bridge as wheels, the way OCA builds theirs: with whool.

    python scripts/build_wheels.py OUTDIR

Run with a Python that has `build` and `whool` (scripts/wheels-requirements.txt); scripts/test
--wheels and scripts/build-wheels make one. Each addon has the `pyproject.toml` OCA puts in
every addon folder (`build-backend = "whool.buildapi"`), and the wheel itself is built by
`python -m build --wheel`, with whool as that file asks (from this Python, which `build`
checks has what the file requires, rather than from an isolated environment each time).

Two things differ from running `python -m build` in the addon folder, both because the
repository root *is* the addon:

- whool names the distribution after the folder (`odoo-addon-<folder>`) and packs every file
  git tracks there. A clone may have any name, and the root also holds the development
  folders (bench/, scripts/, .ci/, the bridges/ that are their own wheels). So each addon is
  copied first into a folder named after the module, with the files git tracks (and, in a
  working copy, new files not ignored), less those folders.
- That copy has no git history, from which whool takes the version (the manifest's version,
  plus ".N" for the N commits since the manifest's version last changed). So the version is
  computed by whool's own library (manifestoo-core) on the real checkout and handed to the
  build in a PKG-INFO, the file through which whool takes the name and version when it builds
  a wheel from an sdist.

The wheel puts the addon in the `odoo.addons` namespace (odoo/addons/<module>/...), so an
Odoo installed in the same environment finds it without any addons path.
"""

import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile

from manifestoo_core.addon import Addon
from manifestoo_core.git_postversion import get_git_postversion

REPO = pathlib.Path(__file__).resolve().parent.parent
ADDON = "credit_management"
# Top-level entries of the repository that are not part of the addon: development tools,
# benchmarks, CI, linters' settings, and the bridges (each its own wheel).
NOT_IN_ADDON = {
    "bench",
    "bridges",
    "scripts",
    ".ci",
    ".gitignore",
    ".pylintrc",
    ".ruff.toml",
    "requirements-dev.txt",
}
# whool's post-version strategy for Odoo 15.0 and later: manifest version + ".N"
POST_VERSION_STRATEGY = ".N"


def addons():
    """(module name, folder, excluded top-level entries) for the addon and each bridge."""
    found = [(ADDON, REPO, NOT_IN_ADDON)]
    for manifest in sorted(REPO.glob("bridges/*/__manifest__.py")):
        found.append((manifest.parent.name, manifest.parent, set()))
    return found


def addon_files(folder, excluded):
    """The files of the addon in `folder`, relative to it: what git tracks there, and new
    files that git does not ignore, less the excluded top-level entries."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    files = []
    for name in sorted(set(filter(None, listed))):
        path = pathlib.PurePosixPath(name)
        if path.parts[0] in excluded or not (folder / path).is_file():
            continue  # excluded, or deleted in the working copy
        files.append(path)
    return files


def git_version(folder):
    """The version whool gives a build in `folder` of this checkout."""
    return get_git_postversion(Addon.from_addon_dir(folder), POST_VERSION_STRATEGY)


def build(module, folder, excluded, outdir, workdir):
    if not (folder / "pyproject.toml").is_file():
        sys.exit(
            f"{folder.relative_to(REPO) if folder != REPO else '.'} has no pyproject.toml: "
            "copy the one of bridges/credit_management_stock (whool's build-system table)"
        )
    staged = workdir / module
    for path in addon_files(folder, excluded):
        (staged / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / path, staged / path)
    version = git_version(folder)
    (staged / "PKG-INFO").write_text(
        f"Metadata-Version: 2.1\nName: odoo-addon-{module}\nVersion: {version}\n",
        encoding="utf-8",
    )
    built = subprocess.run(
        # without isolation: this Python has whool, and `build` checks it meets the
        # pyproject.toml's build requirements
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(outdir),
            str(staged),
        ],
        capture_output=True,
        text=True,
    )
    if built.returncode:
        sys.exit(f"building the wheel of {module} failed:\n{built.stdout}{built.stderr}")
    wheel = outdir / f"odoo_addon_{module}-{version}-py3-none-any.whl"
    if not wheel.is_file():
        sys.exit(f"whool did not write {wheel.name}")
    return wheel


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("outdir", type=pathlib.Path)
    outdir = parser.parse_args().outdir.resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    for module, folder, excluded in addons():
        with tempfile.TemporaryDirectory(prefix=f"{module}-") as workdir:
            wheel = build(module, folder, excluded, outdir, pathlib.Path(workdir))
        print(wheel)


if __name__ == "__main__":
    main()
