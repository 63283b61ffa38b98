"""Merge i18n/<addon>.pot into every i18n/*.po, keeping translations; list the gaps.

    i18n_merge.py [--drop-source PREFIX]... I18N_DIR

``--drop-source`` first removes from the template the source references (``#: code:PREFIX…``)
starting with PREFIX, and the messages left without any: Odoo's export counts every Python
file under the addon's folder as the addon's, the bridge modules in ``bridges/`` included.
"""

import argparse
import pathlib

import polib


def drop_sources(pot, prefixes):
    """Remove the code references under ``prefixes`` and the messages that had only those."""
    kept = []
    for entry in pot:
        if not entry.msgid:
            kept.append(entry)
            continue
        before = len(entry.occurrences)
        entry.occurrences = [
            (path, line)
            for path, line in entry.occurrences
            if not any(path.startswith(f"code:{prefix}") for prefix in prefixes)
        ]
        if entry.occurrences or not before:
            kept.append(entry)
    dropped = len(pot) - len(kept)
    pot[:] = kept
    return dropped


def merge(i18n, drop=()):
    pot_path = next(i18n.glob("*.pot"))
    pot = polib.pofile(str(pot_path))
    if drop:
        print(f"{pot_path.name}: {drop_sources(pot, drop)} message(s) of other modules dropped")
        pot.save(str(pot_path))
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
    parser = argparse.ArgumentParser()
    parser.add_argument("i18n", type=pathlib.Path)
    parser.add_argument("--drop-source", action="append", default=[])
    args = parser.parse_args()
    print(f"{merge(args.i18n, args.drop_source)} untranslated message(s)")
