"""Shared benchmark data generator for the ``credit_management`` addon.

Benchmarks need realistic receivables at a scale the ORM cannot create in reasonable time
(a million journal items would take hours through ``create()`` + ``action_post()``).  This
module creates the handful of template records with the ORM, lets the ORM build one
*prototype* of every row kind (customer, invoice, credit note, bank payment, their journal
items, a reconciliation, a sale order) inside a savepoint that is rolled back, and then
bulk-loads clones of those prototype rows with ``COPY``, overriding only the columns that
vary per row (ids, dates, amounts, residuals, names...).  Copying the prototype keeps every
other column exactly as the ORM of *this* database writes it, including columns added by
other installed modules.

Every amount, residual, reconciliation and state is computed here in integer minor units
from the same plan, so the stored computed fields are what the ORM would compute; ``check()``
proves it by recomputing them with the ORM on a sample and by replaying ORM operations
(register a payment, unreconcile, post a new invoice) on generated records.

Use it from a benchmark script in ``bench/`` that has an Odoo ``env``::

    import datagen
    result = datagen.generate(env, customers=20_000, invoices_per_customer=28)
    datagen.check(env, result.partner_ids)

or from the command line: ``python bench/datagen --help`` (see ``bench/README.md``).

One module per phase: ``prototypes`` (templates and ORM prototypes), ``planning`` (the
plan in integer minor units, numbering, reconciliation graph), ``bulk`` (COPY), ``checks``
(validity check and self-test); ``params`` holds the knobs and results, ``odoo_boot`` and
``cli`` the command line.
"""

from .bulk import (
    bulk_load,
    generate,
    insert_accounting,
    insert_customers,
    insert_sale_orders,
    reserve_ids,
)
from .checks import bench_partner_ids, check, self_test
from .cli import database_size, main
from .odoo_boot import configure_odoo, create_database, default_addons_path, load_odoo, odoo_env
from .params import PARTNER_REF_PREFIX, PAYMENT_TERMS_DAYS, PRODUCT_CODE, CheckFailed, Knobs, Result
from .prototypes import prepare_templates

__all__ = [
    "PARTNER_REF_PREFIX",
    "PAYMENT_TERMS_DAYS",
    "PRODUCT_CODE",
    "CheckFailed",
    "Knobs",
    "Result",
    "bench_partner_ids",
    "bulk_load",
    "check",
    "configure_odoo",
    "create_database",
    "database_size",
    "default_addons_path",
    "generate",
    "insert_accounting",
    "insert_customers",
    "insert_sale_orders",
    "load_odoo",
    "main",
    "odoo_env",
    "prepare_templates",
    "reserve_ids",
    "self_test",
]
