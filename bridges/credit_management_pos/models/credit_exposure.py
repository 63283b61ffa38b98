from odoo import _lt, api, models
from odoo.tools import SQL

from odoo.addons.credit_management.models.credit_exposure import ExposureCategory


class CreditExposure(models.AbstractModel):
    _inherit = "credit.exposure"

    @api.model
    def _exposure_categories(self):
        """Point of sale orders paid on customer account, not invoiced and not posted yet,
        are credit given: their own category, switched by the policy's *Point of Sale Orders
        on Customer Account*."""
        return [
            *super()._exposure_categories(),
            ExposureCategory(
                "pos_orders",
                _lt("Point of Sale Orders on Customer Account"),
                "_exposure_sql_pos_orders",
                "exposure_pos_orders",
            ),
        ]

    @api.model
    def _exposure_sql_pos_orders(self, today, exclude_orders):
        """The pay-later part of the customers' point of sale orders still open: payments with
        a *Customer Account* method (no journal: Odoo's ``pay_later`` type) of orders in
        state *Paid*, not invoiced, converted at the order's rate. Closing the session posts
        them (state *Posted*: the receivable is then a journal item, counted with the open
        receivables); an invoiced order's receivable is its invoice. Neither counts twice.
        ``exclude_orders`` are sale orders: nothing to leave out here."""
        self.env["pos.order"].flush_model(
            ["account_move", "company_id", "currency_rate", "partner_id", "state"]
        )
        self.env["pos.payment"].flush_model(["amount", "payment_method_id", "pos_order_id"])
        self.env["pos.payment.method"].flush_model(["journal_id"])
        return SQL(
            """
            SELECT m.company_id, m.partner_id,
                   SUM(pp.amount / COALESCE(NULLIF(po.currency_rate, 0), 1)) AS pos_orders
              FROM members m
              JOIN pos_order po
                ON po.partner_id = m.member_id AND po.company_id = m.company_id
              JOIN pos_payment pp ON pp.pos_order_id = po.id
              JOIN pos_payment_method pm ON pm.id = pp.payment_method_id
             WHERE po.state = 'paid'
               AND po.account_move IS NULL
               AND pm.journal_id IS NULL
          GROUP BY m.company_id, m.partner_id
            """
        )
