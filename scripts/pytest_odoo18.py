"""pytest plugin for the Odoo tests, loaded by scripts/test (``-p pytest_odoo18``).

It fills two gaps of pytest-odoo with Odoo 18:
- Odoo's own test loader sets ``odoo.modules.module.current_test`` so that no test talks to
  a real SMTP server or other outside services; pytest-odoo does not, so a fixture does.
- pytest-odoo imports Odoo's test framework and the test modules before it turns
  ``test_enable`` on, and Odoo logs an error for such imports outside test mode. scripts/test
  starts Odoo with --test-enable, and this plugin turns the flag off again once collection
  is over, so that loading the registry does not run Odoo's own test machinery; pytest-odoo
  turns it on around each test module as usual.
"""

import pytest

from odoo.modules import module
from odoo.tools import config


def pytest_collection_finish(session):
    config["test_enable"] = False


@pytest.fixture(autouse=True)
def _odoo_current_test(request):
    previous = module.current_test
    module.current_test = request.node.name
    yield
    module.current_test = previous
