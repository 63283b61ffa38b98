"""Merge i18n/<addon>.pot into every i18n/*.po, keeping translations; list the gaps."""

import pathlib
import sys

import polib


def merge(i18n):
    pot = polib.pofile(str(next(i18n.glob("*.pot"))))
    gaps = 0
    for po_path in sorted(i18n.glob("*.po")):
        po = polib.pofile(str(po_path))
        po.merge(pot)
        for entry in po:
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = None
        po[:] = [entry for entry in po if not entry.obsolete]
        po.save(str(po_path))
        missing = [entry.msgid for entry in po if not entry.msgstr]
        gaps += len(missing)
        for msgid in missing:
            print(f"{po_path.name}: untranslated: {msgid!r}")
    return gaps


if __name__ == "__main__":
    print(f"{merge(pathlib.Path(sys.argv[1]))} untranslated message(s)")
