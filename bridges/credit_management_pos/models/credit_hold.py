from odoo import _, api, fields, models


class CreditHold(models.Model):
    """A credit hold on a point of sale order sold on customer account although the credit
    checks failed (sold offline and synced later, or a till that lost a race for the last
    credit): the same record, decisions and audit as an order hold. The sale has happened,
    so the order is kept as it is; the officer accepts the credit given, or rejects it and
    the shop collects the money."""

    _inherit = "credit.hold"

    order_id = fields.Many2one(required=False)
    pos_order_id = fields.Many2one(
        "pos.order",
        string="Point of Sale Order",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
        check_company=True,
    )
    pos_session_id = fields.Many2one(
        related="pos_order_id.session_id", string="Point of Sale Session"
    )
    pos_cashier_id = fields.Many2one(related="pos_order_id.user_id", string="Cashier")

    @api.model
    def _held_document_fields(self):
        return [*super()._held_document_fields(), "pos_order_id"]

    @api.depends("pos_order_id.name")
    def _compute_name(self):
        pos_holds = self.filtered("pos_order_id")
        for hold in pos_holds:
            hold.name = _(
                "Credit hold on point of sale order %(order)s", order=hold.pos_order_id.name
            )
        return super(CreditHold, self - pos_holds)._compute_name()

    def _held_document(self):
        self.ensure_one()
        return self.sudo().pos_order_id or super()._held_document()

    def _confirm_order(self):
        """Approving a point of sale hold accepts the credit the sale gave: the order stands
        as it is, and its chatter says who accepted it and why."""
        self.ensure_one()
        if not self.pos_order_id:
            return super()._confirm_order()
        self.sudo().pos_order_id.message_post(
            body=_(
                "Sale on customer account accepted by %(user)s. %(reason)s",
                user=self.env.user.name,
                reason=self.decision_reason or "",
            ),
            partner_ids=self.requester_id.partner_id.ids,
        )
