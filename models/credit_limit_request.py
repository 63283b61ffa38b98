from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .credit_budget import budget_override
from .credit_decision_mixin import audit_writer, audit_writer_open


class CreditLimitRequest(models.Model):
    """A salesperson's request for a higher (possibly temporary) credit limit, decided by a
    credit officer. Temporary limits end on their date."""

    _name = "credit.limit.request"
    _description = "Credit Limit Request"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "credit.decision.mixin",
        "credit.four.eyes.mixin",
    ]
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _credit_audit_fields = frozenset(
        {
            "state",
            "decided_by_id",
            "decided_on",
            "current_limit",
            "file_id",
            "requested_by_id",
        }
    )
    _credit_audit_defaults = {"state": "submitted"}
    _four_eyes_waiting_state = "submitted"
    _four_eyes_watched_fields = frozenset(
        {"partner_id", "company_id", "amount", "temporary", "date_end"}
    )
    DECIDED_FIELDS = frozenset(
        {
            "partner_id",
            "company_id",
            "amount",
            "temporary",
            "date_end",
            "reason",
            "decision_note",
            "budget_reason",
        }
    )
    """What was asked and why it was decided: frozen once the request is decided."""

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        domain="[('parent_id', '=', False)]",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    file_id = fields.Many2one(
        "credit.file", readonly=True, check_company=True, index=True, copy=False
    )
    requested_by_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        readonly=True,
        copy=False,
    )
    current_limit = fields.Monetary(readonly=True, copy=False)
    amount = fields.Monetary(string="Requested Limit", required=True, tracking=True)
    temporary = fields.Boolean(tracking=True)
    date_end = fields.Date(string="Until", tracking=True)
    reason = fields.Text(required=True)
    state = fields.Selection(
        [
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        default="submitted",
        readonly=True,
        tracking=True,
        copy=False,
    )
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    decided_on = fields.Datetime(readonly=True, copy=False)
    decision_note = fields.Text(copy=False)
    budget_reason = fields.Text(
        string="Budget Override Reason",
        copy=False,
        help="Why the limit may exceed the company's credit budget: needed, with a credit "
        "manager's approval, when approving the request would exceed it.",
    )

    @api.constrains("amount", "temporary", "date_end", "partner_id")
    def _check_request(self):
        for request in self:
            if request.partner_id != request.partner_id.commercial_partner_id:
                raise ValidationError(
                    _(
                        "Credit limits belong to the company %(company)s, not to its contact "
                        "%(contact)s: ask for the company.",
                        company=request.partner_id.commercial_partner_id.display_name,
                        contact=request.partner_id.display_name,
                    )
                )
            if request.amount <= 0:
                raise ValidationError(_("The requested limit must be a positive amount."))
            if request.temporary and not request.date_end:
                raise ValidationError(_("A temporary limit needs an end date."))

    @api.model_create_multi
    def create(self, vals_list):
        """The requester is the user who asks; the file and the limit in force are read
        here, never given."""
        for vals in vals_list:
            if vals.get("requested_by_id") == self.env.uid:
                del vals["requested_by_id"]
        requests = super().create(vals_list)
        for request in requests:
            file = (
                self.env["credit.file"]
                .sudo()
                ._get_for_partner(request.partner_id, request.company_id)
            )
            with audit_writer(self.env):
                request.sudo().write({"file_id": file.id, "current_limit": file.effective_limit})
            officer = file.officer_id or file._policy().officer_id
            if officer:
                # salespeople may ask but not edit requests, and an activity needs write access
                request.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=_("Credit limit request"),
                    user_id=officer.id,
                )
        return requests

    def write(self, vals):
        if (
            self.DECIDED_FIELDS & vals.keys()
            and not audit_writer_open(self.env)
            and any(request.state != "submitted" for request in self)
        ):
            raise UserError(_("A decided limit request cannot be changed: ask again."))
        return super().write(vals)

    def _can_decide(self):
        """Officers and managers decide; an officer who asked only when the policy allows
        officers to approve their own requests (as for their own orders)."""
        self.ensure_one()
        user = self.env.user
        if not user.has_group("credit_management.group_credit_officer"):
            return False
        if self.requested_by_id == user:
            return self.env["credit.policy"]._for_company(self.company_id).officer_may_approve_own
        return True

    def _check_decidable(self):
        self.env["credit.file"]._check_officer()
        for request in self:
            if not request._can_decide():
                raise AccessError(
                    _(
                        "Only credit officers can decide on limit requests, and not on their "
                        "own requests unless the credit policy allows it."
                    )
                )
        self._lock_for_decision()
        for request in self:
            if request.state != "submitted":
                raise UserError(_("This request has already been decided."))

    def action_approve(self):
        """Approve: a temporary limit runs until its date, a permanent one replaces the
        rated limit until the next review."""
        self._check_decidable()
        for request in self._four_eyes_split():
            file = request.file_id.sudo()
            # written whole or not at all: the decision first (its four-eyes guard judges
            # the raise against the rated limit before it), then the limit, which the credit
            # budget may refuse
            with (
                self.env.cr.savepoint(),
                audit_writer(self.env),
                budget_override(self.env, request.budget_reason),
            ):
                request.write(
                    {
                        "state": "approved",
                        "decided_by_id": self.env.uid,
                        "decided_on": fields.Datetime.now(),
                    }
                )
                if request.temporary:
                    file.write(
                        {
                            "temporary_limit": request.amount,
                            "temporary_limit_until": request.date_end,
                        }
                    )
                else:
                    file.write({"credit_limit": request.amount})
                file._sync_partner_credit_limit()
            file.message_post(
                body=_(
                    "Limit request of %(user)s approved by %(officer)s: %(amount)s%(until)s.",
                    user=request.requested_by_id.name,
                    officer=self.env.user.name,
                    amount=request.currency_id.format(request.amount),
                    until=_(" until %(date)s", date=request.date_end) if request.temporary else "",
                )
            )
            request.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def _four_eyes_facts(self, **decision):
        """A request raises the limit when the limit asked (temporary or not) is above the
        file's rated limit now."""
        self.ensure_one()
        before = self.file_id.credit_limit
        return {
            "limit_before": before,
            "new_limit": self.amount,
            "overdue_amount": self._four_eyes_overdue() if self.amount > before else 0.0,
        }

    def _four_eyes_first_approval_values(self, reason, **decision):
        """The officer's decision note is the first approval's reason."""
        values = super()._four_eyes_first_approval_values(reason, **decision)
        values["first_approval_reason"] = self.decision_note or False
        return values

    def action_reject(self):
        self._check_decidable()
        if any(not (request.decision_note or "").strip() for request in self):
            raise UserError(_("Give the reason for rejecting the request."))
        for request in self:
            with audit_writer(self.env):
                request.write(
                    {
                        "state": "rejected",
                        "decided_by_id": self.env.uid,
                        "decided_on": fields.Datetime.now(),
                    }
                )
            request.activity_feedback(["mail.mail_activity_data_todo"])
            request.message_post(
                body=_("Rejected: %(reason)s", reason=request.decision_note),
                partner_ids=request.requested_by_id.partner_id.ids,
            )
        return True
