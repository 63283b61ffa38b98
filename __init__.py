from . import controllers, models, report, wizard


def uninstall_hook(env):
    """Drop the index the addon added to account_move_line (see credit.file.init)."""
    env.cr.execute("DROP INDEX IF EXISTS credit_management_aml_open_receivable_idx")
    # the aging engine's (see credit.aging.engine.init)
    env.cr.execute("DROP INDEX IF EXISTS credit_management_apr_max_date_idx")
