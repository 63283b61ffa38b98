from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..models.credit_hold import DECISIONS


class CreditHoldDecision(models.TransientModel):
    """The officer's decision on one or more credit holds, with its reason."""

    _name = "credit.hold.decision"
    _description = "Credit Hold Decision"

    hold_ids = fields.Many2many(
        "credit.hold", string="Holds", required=True, default=lambda self: self._default_holds()
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, readonly=True
    )

    @api.depends("hold_ids")
    def _compute_company_id(self):
        """The company of the holds decided (whose rules then keep the decision in it)."""
        for decision in self:
            decision.company_id = decision.hold_ids.company_id[:1] or self.env.company

    decision = fields.Selection(
        DECISIONS,
        required=True,
        compute="_compute_decision",
        store=True,
        readonly=False,
        precompute=True,
    )
    first_approval_note = fields.Text(
        compute="_compute_first_approval_note",
        help="Holds waiting for a second approval: approving confirms the first approval as it is.",
    )

    @api.depends("hold_ids")
    def _compute_decision(self):
        """Approve once by default; for holds waiting for a second approval, what the first
        officer approved (the second approval confirms it as it is)."""
        for decision in self:
            firsts = set(
                decision.hold_ids.filtered("awaiting_second_approval").mapped("first_decision")
            )
            if len(firsts) == 1:
                decision.decision = firsts.pop()
            elif not decision.decision:
                decision.decision = "approve_once"

    @api.depends("hold_ids")
    @api.depends_context("lang")
    def _compute_first_approval_note(self):
        for decision in self:
            waiting = decision.hold_ids.filtered("awaiting_second_approval")
            decision.first_approval_note = (
                "\n".join(
                    _(
                        "%(hold)s: first approved by %(user)s (%(decision)s), reason: %(reason)s. "
                        "Approving it as it is gives the second approval.",
                        hold=hold.display_name,
                        user=hold.first_approved_by_id.name,
                        decision=hold._first_decision_label(),
                        reason=hold.first_approval_reason or _("no reason given"),
                    )
                    for hold in waiting
                )
                or False
            )

    reason = fields.Text()
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    temporary_limit = fields.Monetary(
        compute="_compute_temporary_limit",
        store=True,
        readonly=False,
        precompute=True,
        help="The customer's limit until the end date; the rated limit applies again after. "
        "Proposed: what the held orders need, the customer's exposure at the check plus the "
        "orders.",
    )
    temporary_limit_until = fields.Date(
        string="Until",
        compute="_compute_temporary_limit",
        store=True,
        readonly=False,
        precompute=True,
    )
    budget_reason = fields.Text(
        string="Budget Override Reason",
        help="Credit managers only: why the temporary limit may exceed the company's credit "
        "budget.",
    )

    @api.depends("hold_ids", "decision")
    def _compute_temporary_limit(self):
        """What the held orders of one customer need: its exposure when they were checked
        plus their amounts, for a month; nothing is proposed for several customers."""
        today = fields.Date.context_today(self)
        for decision in self:
            holds = decision.hold_ids
            if decision.decision != "approve_temporary_limit" or len(holds.partner_id) != 1:
                continue
            firsts = {
                (hold.first_temporary_limit, hold.first_temporary_limit_until)
                for hold in holds.filtered("awaiting_second_approval")
                if hold.first_decision == "approve_temporary_limit"
            }
            if len(firsts) == 1:
                # the second approval confirms the first one's limit and date
                decision.temporary_limit, decision.temporary_limit_until = firsts.pop()
                continue
            if not decision.temporary_limit:
                decision.temporary_limit = max(holds.mapped("exposure")) + sum(
                    holds.mapped("order_amount")
                )
            if not decision.temporary_limit_until:
                decision.temporary_limit_until = today + timedelta(days=30)

    @api.constrains("temporary_limit")
    def _check_temporary_limit(self):
        if any(decision.temporary_limit < 0 for decision in self):
            raise ValidationError(_("A temporary limit cannot be negative."))

    def _default_holds(self):
        context = self.env.context
        if context.get("active_model") == "credit.hold":
            return context.get("active_ids", [])
        return []

    def action_decide(self):
        self.ensure_one()
        holds = self.hold_ids
        if self.decision == "reject":
            holds.action_reject(self.reason)
        elif self.decision == "approve_temporary_limit":
            holds.action_approve_with_temporary_limit(
                self.temporary_limit,
                self.temporary_limit_until,
                self.reason or "",
                budget_reason=self.budget_reason or "",
            )
        else:
            holds.action_approve_once(self.reason or "")
        return {"type": "ir.actions.act_window_close"}
