"""Static check of i18n/ and of each bridge module's bridges/<module>/i18n/: every .po file
parses, has no fuzzy or empty entry, keeps the placeholders of its source text, and translates
every message of the template (.pot); the addon's template holds no message of a bridge.

Completeness against the code itself (every translatable term the addon defines) is
checked by the Odoo test tests/test_translations.py, which needs Odoo to extract terms.
"""

import pathlib
import re
import sys

import polib

REPO = pathlib.Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sdf]|\{[a-z_0-9]*\}")


def problems_of(po_path, template_ids):
    po = polib.pofile(str(po_path))
    found = []
    translated = set()
    for entry in po:
        if entry.obsolete:
            continue
        where = f"{po_path.name}: {entry.msgid[:60]!r}"
        if "fuzzy" in entry.flags:
            found.append(f"{where} is fuzzy")
        if not entry.msgstr:
            found.append(f"{where} has no translation")
            continue
        if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr)):
            found.append(f"{where} does not keep the placeholders of the source text")
        translated.add(entry.msgid)
    for missing in sorted(template_ids - translated):
        found.append(f"{po_path.name}: {missing[:60]!r} is in the template but not translated")
    return found


def i18n_dirs():
    """(module, i18n folder) of the addon and of each bridge module in bridges/."""
    yield "credit_management", REPO / "i18n"
    for manifest in sorted(REPO.glob("bridges/*/__manifest__.py")):
        yield manifest.parent.name, manifest.parent / "i18n"


def problems_of_module(module, i18n):
    pot_path = i18n / f"{module}.pot"
    where = pot_path.relative_to(REPO)
    if not pot_path.exists():
        return [f"{where} is missing"], 0, 0
    pot = polib.pofile(str(pot_path))
    template_ids = {e.msgid for e in pot if e.msgid}
    found = []
    # Odoo's export counts the bridges' Python files as the addon's (they are in its folder);
    # scripts/i18n-update drops them from the addon's template: they belong to the bridges.
    for entry in pot:
        for path, _line in entry.occurrences:
            if f"/{module}/bridges/" in path:
                found.append(f"{where}: {entry.msgid[:60]!r} comes from a bridge module ({path})")
    po_files = sorted(i18n.glob("*.po"))
    if not any(p.name == "zh_CN.po" for p in po_files):
        found.append(f"{i18n.relative_to(REPO)}/zh_CN.po is missing")
    for po_path in po_files:
        found.extend(problems_of(po_path, template_ids))
    return found, len(po_files), len(template_ids)


def main():
    found = []
    files = messages = 0
    for module, i18n in i18n_dirs():
        module_found, module_files, module_messages = problems_of_module(module, i18n)
        found.extend(module_found)
        files += module_files
        messages += module_messages
    for line in found:
        print(line)
    print(f"translations: {files} file(s), {messages} messages, {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
