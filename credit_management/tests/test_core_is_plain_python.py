"""The core must run anywhere: no module under credit_management/ may import odoo."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent


def _imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_no_core_module_imports_odoo():
    offenders = [
        str(path.relative_to(CORE))
        for path in CORE.rglob("*.py")
        if "odoo" in set(_imported_roots(path))
    ]
    assert offenders == []


def test_the_check_sees_an_odoo_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from odoo import models\n", encoding="utf-8")
    assert "odoo" in set(_imported_roots(sample))
