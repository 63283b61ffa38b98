from odoo import api, models

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
