from odoo import _, api, fields, models

from odoo.addons.credit_management.models.credit_hold import CreditHold as MainHold


class CreditHold(models.Model):
    """A credit hold on a delivery: the same record, decisions and audit as an order hold,
    with the delivery instead of the order. An approved delivery hold lets that delivery be
    validated once."""

    _inherit = "credit.hold"
    _credit_audit_fields = MainHold._credit_audit_fields | {"picking_id"}
    order_id = fields.Many2one(required=False)
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
        check_company=True,
    )

    @api.model
    def _held_document_fields(self):
        return [*super()._held_document_fields(), "picking_id"]

    @api.depends("picking_id.name")
    def _compute_name(self):
        deliveries = self.filtered("picking_id")
        for hold in deliveries:
            hold.name = _("Credit hold on delivery %(delivery)s", delivery=hold.picking_id.name)
        return super(CreditHold, self - deliveries)._compute_name()

    def _held_document(self):
        self.ensure_one()
        return self.sudo().picking_id or super()._held_document()

    def _confirm_order(self):
        """An approved delivery hold confirms nothing: the delivery may now be validated
        once, by whoever validates deliveries; they are told on the delivery."""
        self.ensure_one()
        if not self.picking_id:
            return super()._confirm_order()
        self.sudo().picking_id.message_post(
            body=_(
                "Delivery released by %(user)s: it may be validated once. %(reason)s",
                user=self.env.user.name,
                reason=self.decision_reason or "",
            ),
            partner_ids=self.requester_id.partner_id.ids,
        )

    def _credit_delivery_notification(self):
        """What the user who tried to validate sees: the refused deliveries and why."""
        lines = [
            f"{hold.picking_id.name} ({hold.partner_id.display_name}): "
            + "; ".join(hold.reasons.splitlines())
            for hold in self
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Credit hold"),
                "message": _(
                    "Not validated; a credit officer has been asked to release the "
                    "delivery.\n%(reasons)s",
                    reasons="\n".join(lines),
                ),
                "type": "danger",
                "sticky": True,
                # reloads the record the button was clicked on (a restore of the
                # controller, soft_reload, would open a new quotation when the order was
                # created from "New": the controller never learnt its id)..
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
