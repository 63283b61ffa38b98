from . import controllers, models, report, wizard
from .models import credit_receivable_ladder, ir_cron


def uninstall_hook(env):
    """Drop what the addon added to Odoo's own tables: the receivable ladder's triggers on
    account_move_line, res_partner and account_account (see credit.receivable.ladder), and
    the indexes on sale orders, payment items and draft invoices (see credit.exposure.init),
    the aging engine's index on partial reconciliations (see credit.aging.engine.init), and
    the tables of the credit checks' locks (see credit.exposure._lock_customers) and of the
    scheduled jobs' runs (see ir.cron._credit_claim_job)."""
    env.cr.execute(credit_receivable_ladder.UNINSTALL)
    env.cr.execute(ir_cron.UNINSTALL_JOB_TABLE)
    env.cr.execute(
        """
        DROP INDEX IF EXISTS credit_management_aml_open_receivable_idx;
        DROP INDEX IF EXISTS credit_management_sale_order_open_idx;
        DROP INDEX IF EXISTS credit_management_sale_order_line_open_idx;
        DROP INDEX IF EXISTS credit_management_sol_open_partner_idx;
        DROP INDEX IF EXISTS credit_management_apr_max_date_idx;
        DROP INDEX IF EXISTS credit_management_aml_payment_date_idx;
        DROP INDEX IF EXISTS credit_management_account_move_draft_idx;
        DROP TABLE IF EXISTS credit_management_customer_lock;
        """
    )
