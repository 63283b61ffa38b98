"""Where Odoo, run from the wheels' virtualenv, finds the addon and its bridges.

    <venv>/bin/python scripts/wheel_install_check.py ODOO_CONF SITE_PACKAGES REPO MODULE...

Run by scripts/test --wheels after installing the wheels: each module must be found inside
the venv's site-packages (the `odoo.addons` namespace the wheels installed), and no addons path
Odoo uses may lead into the repository. Prints one line per module, exits 1 on a problem.
"""

import pathlib
import sys

from odoo.modules import module as odoo_module
from odoo.tools import config

conf, site, repo, *modules = sys.argv[1:]
site, repo = pathlib.Path(site).resolve(), pathlib.Path(repo).resolve()
config.parse_config(["-c", conf])
odoo_module.initialize_sys_path()

import odoo.addons  # noqa: E402 (its __path__ is complete only once the config is read)

problems = []
for path in odoo.addons.__path__:
    resolved = pathlib.Path(path).resolve()
    if resolved == repo or repo in resolved.parents or resolved in repo.parents:
        problems.append(f"the addons path {path} leads into the repository {repo}")
for name in modules:
    path = odoo_module.get_module_path(name, display_warning=False)
    if not path:
        problems.append(f"{name}: Odoo does not find it")
        continue
    resolved = pathlib.Path(path).resolve()
    print(f"{name}: {path}")
    if site not in resolved.parents:
        problems.append(f"{name} is found at {path}, not in the wheels' site-packages {site}")
for problem in problems:
    print(f"problem: {problem}")
sys.exit(1 if problems else 0)
