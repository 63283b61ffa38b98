"""Print Odoo's requirements with the project's overrides applied.

Usage: odoo_requirements.py ODOO_REQUIREMENTS OVERRIDES
Lines of packages named in OVERRIDES are replaced (once) by the override or dropped; the
OVERRIDES lines "+ <requirement>" are added at the end.
"""

import re
import sys


def package_name(line):
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return match and re.sub(r"[-_.]+", "-", match.group(1)).lower()


def main(requirements_path, overrides_path):
    overrides = {}
    extra = []
    with open(overrides_path, encoding="utf-8") as overrides_file:
        for raw in overrides_file:
            line = raw.split("#", 1)[0].strip()
            if line:
                name, replacement = line.split(None, 1)
                if name == "+":
                    extra.append(replacement.strip())
                else:
                    overrides[package_name(name)] = replacement.strip()
    emitted = set()
    with open(requirements_path, encoding="utf-8") as requirements_file:
        for raw in requirements_file:
            line = raw.split("#", 1)[0].strip()
            name = package_name(line) if line else None
            if not name:
                continue
            if name in overrides:
                if name not in emitted and overrides[name] != "-":
                    print(overrides[name])
                emitted.add(name)
            else:
                print(line)
    for requirement in extra:
        print(requirement)


if __name__ == "__main__":
    main(*sys.argv[1:3])
