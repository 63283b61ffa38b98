from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CreditDunningItemState(models.Model):
    """What dunning remembers of one receivable item (journal item): the last level it
    reached and when, the day up to which penalty interest was charged, and whether the
    customer disputes it.

    A table of its own rather than fields on ``account.move.line``: runs write thousands of
    these rows in one ``INSERT ... ON CONFLICT`` each day, which on journal items would
    rewrite the widest, most indexed table of the database (and its write-protected posted
    lines); the memory of dunning is also no accounting fact and goes away with the addon.
    """

    _name = "credit.dunning.item.state"
    _description = "Dunning State of a Receivable Item"
    _order = "date_maturity, id"
    _rec_name = "move_line_id"
    _check_company_auto = True

    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, ondelete="cascade"
    )
    move_id = fields.Many2one("account.move", string="Invoice", index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_maturity = fields.Date(related="move_line_id.date_maturity", string="Due Date")
    amount_residual = fields.Monetary(
        related="move_line_id.amount_residual", string="Open Amount", currency_field="currency_id"
    )
    level_id = fields.Many2one(
        "credit.dunning.level", string="Last Level", ondelete="set null", readonly=True
    )
    level_date = fields.Date(string="Reached On", readonly=True)
    communication_id = fields.Many2one(
        "credit.dunning.communication", string="Last Communication", readonly=True
    )
    interest_date = fields.Date(
        string="Interest Charged Until",
        readonly=True,
        help="Penalty interest of this item was charged up to this day.",
    )
    disputed = fields.Boolean(
        readonly=True, help="The customer disputes this item: it is not dunned while disputed."
    )
    dispute_reason = fields.Text(readonly=True)
    dispute_user_id = fields.Many2one("res.users", string="Disputed By", readonly=True)
    dispute_date = fields.Date(string="Disputed On", readonly=True)

    _sql_constraints = [
        (
            "move_line_unique",
            "unique(move_line_id)",
            "A receivable item has one dunning state.",
        ),
    ]

    @api.model
    def _for_move_lines(self, move_lines):
        """The states of ``move_lines``, created for those that have none."""
        states = self.search([("move_line_id", "in", move_lines.ids)])
        missing = move_lines - states.move_line_id
        if missing:
            states |= self.create(
                [
                    {
                        "move_line_id": line.id,
                        "move_id": line.move_id.id,
                        "company_id": line.company_id.id,
                        "partner_id": line.partner_id.commercial_partner_id.id,
                    }
                    for line in missing
                ]
            )
        return states

    def _mark_disputed(self, reason):
        """Pause the dunning of these items: the customer disputes them for ``reason``."""
        if not (reason or "").strip():
            raise UserError(_("Say why the customer disputes the items."))
        self.write(
            {
                "disputed": True,
                "dispute_reason": reason,
                "dispute_user_id": self.env.uid,
                "dispute_date": fields.Date.context_today(self),
            }
        )
        self._cancel_fees_of_disputed_items(reason)
        for partner in self.partner_id:
            items = self.filtered(lambda s, p=partner: s.partner_id == p)
            self.env["credit.collection.log"].create(
                {
                    "company_id": items[0].company_id.id,
                    "partner_id": partner.id,
                    "channel": "other",
                    "is_automatic": True,
                    "content": _(
                        "Items disputed: %(items)s. Reason: %(reason)s",
                        items=", ".join(items.move_line_id.mapped("move_name")),
                        reason=reason,
                    ),
                }
            )

    def _cancel_fees_of_disputed_items(self, reason):
        """The fees charged by the sent communications that dunned these items are taken
        back (``credit.dunning.communication._cancel_fee_invoices``): a fee for chasing a
        debt the customer disputes is not owed while the dispute lasts. The whole fee
        invoice of a communication goes, even when only some of its items are disputed:
        its fixed fee was for the communication, and the next level charges what is still
        owed on the others. Settling the dispute does not charge them again."""
        communications = (
            self.env["credit.dunning.communication.line"]
            .sudo()
            .search(
                [
                    ("move_line_id", "in", self.move_line_id.ids),
                    ("communication_id.state", "=", "sent"),
                    ("communication_id.fee_invoice_id", "!=", False),
                ]
            )
            .communication_id
        )
        communications._cancel_fee_invoices(_("items disputed (%(reason)s)", reason=reason))

    def action_resolve_dispute(self):
        """The dispute is settled: dunning of these items goes on where it stopped."""
        self.env["credit.file"]._check_officer()
        self.write({"disputed": False})
        return True
