from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CreditDunningDispute(models.TransientModel):
    """Mark receivable items disputed: their dunning pauses until the dispute is settled."""

    _name = "credit.dunning.dispute"
    _description = "Dispute Receivable Items"

    move_line_ids = fields.Many2many("account.move.line", string="Items", required=True)
    reason = fields.Text(required=True, help="What the customer disputes and why.")
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, readonly=True
    )

    @api.depends("move_line_ids")
    def _compute_company_id(self):
        """The company of the items disputed."""
        for wizard in self:
            wizard.company_id = wizard.move_line_ids.company_id[:1] or self.env.company

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model = self.env.context.get("active_model")
        records = self.env[model].browse(self.env.context.get("active_ids", [])) if model else None
        if model == "account.move":
            lines = records.line_ids
        elif model == "credit.dunning.communication":
            lines = records.line_ids.move_line_id
        else:
            return values
        values["move_line_ids"] = [
            fields.Command.set(
                lines.filtered(
                    lambda line: (
                        line.account_id.account_type == "asset_receivable" and not line.reconciled
                    )
                ).ids
            )
        ]
        return values

    def action_confirm(self):
        self.env["credit.file"]._check_officer()
        lines = self.move_line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        if not lines:
            raise UserError(_("Choose at least one open receivable item to dispute."))
        self.env["credit.dunning.item.state"].sudo()._for_move_lines(lines)._mark_disputed(
            self.reason
        )
        return {"type": "ir.actions.act_window_close"}
