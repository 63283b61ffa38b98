from odoo import models


class PaymentTransaction(models.Model):
    """A paid quotation held by the credit gate stays a quotation: Odoo must treat it as one.

    ``sale`` counts every quotation it asked to confirm once the payment reached the
    confirmation amount as confirmed, and sends its "payment received" mail only to the
    others (the confirmed ones get the order confirmation from ``action_confirm``). A held
    quotation gets neither, and the customer who paid hears nothing. Only the orders that
    are really confirmed count as confirmed here, so the held one gets Odoo's payment mail,
    which tells that the order awaits credit approval (``sale.order``
    ``_send_order_notification_mail``)."""

    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        confirmed = super()._check_amount_and_confirm_order()
        return confirmed.filtered(lambda order: order.state == "sale")
