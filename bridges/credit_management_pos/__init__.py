from . import models


def uninstall_hook(env):
    """Point of sale holds have no order: they go with the bridge, so that the order holds
    of the main module can require their order again."""
    env["credit.hold"].sudo().search([("pos_order_id", "!=", False)]).unlink()
