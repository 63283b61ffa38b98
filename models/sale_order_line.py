from odoo import _, api, models
from odoo.exceptions import AccessError

AMOUNT_FIELDS = frozenset(
    {
        "order_id",
        "product_id",
        "product_uom_qty",
        "product_uom",
        "price_unit",
        "discount",
        "tax_id",
        "display_type",
        "is_downpayment",
    }
)
"""Line fields whose change can raise the order's total."""

COMPUTED_MONEY_FIELDS = frozenset(
    {"price_total", "price_subtotal", "price_tax", "qty_invoiced", "price_reduce_taxexcl"}
)
"""Computed line fields the exposure reads (what an order still adds): only Odoo's
computations set them."""


class SaleOrderLine(models.Model):
    """Lines added to, changed on or removed from a confirmed order: the order's total must
    stay covered by the credit checks or an officer's approval (see
    ``sale.order._credit_enforce``). Told at once here; checked again, whatever the path,
    before the transaction commits."""

    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._credit_touch()
        lines.order_id._credit_enforce()
        return lines

    def write(self, vals):
        if COMPUTED_MONEY_FIELDS & vals.keys() and not self.env.su:
            raise AccessError(
                _("The line's amounts are computed: change its quantity, price or taxes.")
            )
        orders = self.order_id
        result = super().write(vals)
        if AMOUNT_FIELDS & vals.keys():
            orders |= self.order_id
            orders._credit_touch()
            orders._credit_enforce()
        return result

    def unlink(self):
        orders = self.order_id
        result = super().unlink()
        orders._credit_touch()
        return result
