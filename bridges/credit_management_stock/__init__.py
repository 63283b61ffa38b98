from . import models


def uninstall_hook(env):
    """Delivery holds have no order: they go with the bridge, so that the order holds of the
    main module can require their order again."""
    env["credit.hold"].sudo().search([("picking_id", "!=", False)]).unlink()
