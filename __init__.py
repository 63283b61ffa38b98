from . import controllers, models, report, wizard
from .models import credit_receivable_ladder


def uninstall_hook(env):
    """Drop what the addon added to Odoo's own tables: the receivable ladder's triggers on
    account_move_line, res_partner and account_account (see credit.receivable.ladder), and
    the indexes on sale orders (see credit.file.init) and the aging engine's index on
    partial reconciliations (see credit.aging.engine.init)."""
    env.cr.execute(credit_receivable_ladder.UNINSTALL)
    env.cr.execute(
        """
        DROP INDEX IF EXISTS credit_management_aml_open_receivable_idx;
        DROP INDEX IF EXISTS credit_management_sale_order_open_idx;
        DROP INDEX IF EXISTS credit_management_sale_order_line_open_idx;
        DROP INDEX IF EXISTS credit_management_apr_max_date_idx;
        """
    )
