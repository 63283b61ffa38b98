"""Static check of i18n/: every .po file parses, has no fuzzy or empty entry, keeps the
placeholders of its source text, and translates every message of the template (.pot).

Completeness against the code itself (every translatable term the addon defines) is
checked by the Odoo test tests/test_translations.py, which needs Odoo to extract terms.
"""

import pathlib
import re
import sys

import polib

I18N = pathlib.Path(__file__).resolve().parent.parent / "i18n"
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


def main():
    pot = I18N / "credit_management.pot"
    template_ids = {e.msgid for e in polib.pofile(str(pot)) if e.msgid} if pot.exists() else set()
    if not pot.exists():
        print("i18n/credit_management.pot is missing")
        return 1
    found = []
    po_files = sorted(I18N.glob("*.po"))
    if not any(p.name == "zh_CN.po" for p in po_files):
        found.append("i18n/zh_CN.po is missing")
    for po_path in po_files:
        found.extend(problems_of(po_path, template_ids))
    for line in found:
        print(line)
    print(
        f"translations: {len(po_files)} file(s), {len(template_ids)} messages, "
        f"{len(found)} problem(s)"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
