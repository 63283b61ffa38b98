from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.credit_decision_mixin import audit_writer


class CreditDoubtfulWizard(models.TransientModel):
    """A credit officer classifies a customer's case, or single open receivables, as
    doubtful / bad (呆坏账), with a reason recorded in the chatter."""

    _name = "credit.doubtful.wizard"
    _description = "Classify Receivables as Doubtful"

    case_id = fields.Many2one("credit.receivable.case")
    line_ids = fields.Many2many(
        "account.move.line",
        string="Receivables",
        domain="[('account_id.account_type', '=', 'asset_receivable'), ('reconciled', '=', False),"
        " ('parent_state', '=', 'posted')]",
    )
    reason = fields.Text(required=True, help="Why the money is unlikely to be collected.")
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, readonly=True
    )

    @api.depends("case_id", "line_ids")
    def _compute_company_id(self):
        """The company of the case or receivables classified."""
        for wizard in self:
            wizard.company_id = (
                wizard.case_id.company_id or wizard.line_ids.company_id[:1] or self.env.company
            )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.move.line" and context.get("active_ids"):
            values["line_ids"] = [fields.Command.set(context["active_ids"])]
        return values

    def action_confirm(self):
        self.ensure_one()
        Case = self.env["credit.receivable.case"]
        Case._check_officer()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for classifying as doubtful."))
        if not self.case_id and not self.line_ids:
            raise UserError(self.env._("Choose the case or the receivables to classify."))
        lines = self.line_ids
        bad = lines.filtered(
            lambda line: (
                line.account_id.account_type != "asset_receivable"
                or line.reconciled
                or line.parent_state != "posted"
            )
        )
        if bad:
            raise UserError(
                self.env._(
                    "Only open posted receivables can be classified as doubtful: %(items)s",
                    items=", ".join(bad.mapped("display_name")),
                )
            )
        if self.case_id:
            self.case_id._mark_doubtful(reason, by_officer=True)
        if lines:
            with audit_writer(self.env):
                lines.sudo().write({"credit_doubtful": True, "credit_doubtful_reason": reason})
            for move in lines.move_id:
                move.sudo().message_post(
                    body=self.env._(
                        "%(items)s classified as doubtful by %(user)s: %(reason)s",
                        items=", ".join(
                            lines.filtered(lambda line, move=move: line.move_id == move).mapped(
                                "display_name"
                            )
                        ),
                        user=self.env.user.name,
                        reason=reason,
                    )
                )
            Case._update_cases(lines.company_id)
        return {"type": "ir.actions.act_window_close"}
