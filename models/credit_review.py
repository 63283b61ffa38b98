from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ..credit_management import limits as core_limits
from ..credit_management import ratios as core_ratios
from ..credit_management import scoring as core_scoring
from ..credit_management import terms as core_terms
from .credit_budget import budget_override
from .credit_decision_mixin import audit_writer, audit_writer_open

PROPOSAL_FIELDS = frozenset(
    {
        "score",
        "score_grade_id",
        "proposed_grade_id",
        "is_new_customer",
        "override_note",
        "missing_factors",
        "line_ids",
        "payment_rate",
        "overdue_amount",
        "longest_overdue_days",
        "history_months",
        "proposed_limit",
        "limit_method",
        "limit_base",
        "limit_note",
        "proposed_days",
        "term_note",
    }
)
"""What the system computed (``action_compute``): never typed in."""

DECIDED_FIELDS = PROPOSAL_FIELDS | {
    "file_id",
    "date",
    "state",
    "final_grade_id",
    "final_limit",
    "final_days",
    "adjust_reason",
    "decided_by_id",
    "decided_on",
    "valid_until",
    "budget_reason",
}
"""What a review computed and decided; frozen once the review is approved or rejected."""


PREVIOUS_FIELDS = {
    "previous_grade_id": "grade_id",
    "previous_limit": "credit_limit",
    "previous_days": "credit_days",
    "previous_valid_until": "valid_until",
}
"""What was in force when the review was approved (review field: credit file field), kept
with the decision: the file's current figures move on."""


class CreditReview(models.Model):
    """A credit review (信用评审): the system computes the score, grade, limit and term from
    the credit file, the ledger and the policy; the officer accepts or adjusts them with a
    reason; on approval they become the customer's current rating. Every review is kept."""

    _name = "credit.review"
    _description = "Credit Review"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "credit.decision.mixin",
        "credit.four.eyes.mixin",
    ]
    _order = "date desc, id desc"
    _check_company_auto = True
    _credit_audit_fields = PROPOSAL_FIELDS | {
        "state",
        "decided_by_id",
        "decided_on",
        "valid_until",
        *PREVIOUS_FIELDS,
    }
    _credit_audit_defaults = {"state": "draft"}
    _four_eyes_waiting_state = "to_approve"
    _four_eyes_watched_fields = frozenset(
        {"file_id", "date", "final_grade_id", "final_limit", "final_days"}
    )

    name = fields.Char(compute="_compute_name", store=True)
    file_id = fields.Many2one(
        "credit.file", required=True, ondelete="cascade", index=True, check_company=True
    )
    partner_id = fields.Many2one(related="file_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one(related="file_id.company_id", store=True)
    currency_id = fields.Many2one(related="file_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today, readonly=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )

    @api.depends("partner_id", "date")
    def _compute_name(self):
        for review in self:
            review.name = _(
                "Review of %(customer)s on %(date)s",
                customer=review.partner_id.display_name or "",
                date=review.date or "",
            )

    # --- what is in force today, to compare with the proposal ---
    current_grade_id = fields.Many2one(related="file_id.grade_id", string="Current Grade")
    current_limit = fields.Monetary(related="file_id.credit_limit", string="Current Limit")
    current_days = fields.Integer(related="file_id.credit_days", string="Current Term (days)")
    current_valid_until = fields.Date(
        related="file_id.valid_until", string="Current Rating Valid Until"
    )
    # --- what was in force when it was approved (kept: the file's figures move on) ---
    previous_grade_id = fields.Many2one("credit.grade", string="Grade Before", readonly=True)
    previous_limit = fields.Monetary(string="Limit Before", readonly=True)
    previous_days = fields.Integer(string="Term Before (days)", readonly=True)
    previous_valid_until = fields.Date(string="Previous Rating Valid Until", readonly=True)

    # --- what the system computed ---
    score = fields.Float(digits=(5, 2), readonly=True)
    score_grade_id = fields.Many2one("credit.grade", string="Grade by Score", readonly=True)
    proposed_grade_id = fields.Many2one("credit.grade", readonly=True)
    is_new_customer = fields.Boolean(
        readonly=True,
        help="Less history than the policy requires: graded C, payment before delivery.",
    )
    override_note = fields.Text(string="Rules Applied", readonly=True)
    missing_factors = fields.Char(readonly=True)
    line_ids = fields.One2many("credit.review.line", "review_id", string="Score Details")
    payment_rate = fields.Float(string="On-time Payment Rate (%)", digits=(5, 2), readonly=True)
    overdue_amount = fields.Monetary(readonly=True)
    longest_overdue_days = fields.Integer(readonly=True)
    history_months = fields.Integer(readonly=True)
    proposed_limit = fields.Monetary(readonly=True)
    limit_method = fields.Selection(
        lambda self: self.env["credit.policy"]._fields["limit_method"].selection, readonly=True
    )
    limit_base = fields.Monetary(readonly=True)
    limit_note = fields.Text(string="How the Limit Was Set", readonly=True)
    proposed_days = fields.Integer(string="Proposed Term (days)", readonly=True)
    term_note = fields.Char(string="How the Term Was Set", readonly=True)

    # --- what the officer decides ---
    final_grade_id = fields.Many2one(
        "credit.grade",
        string="Grade",
        readonly=False,
        tracking=True,
        help="Proposed grade, which the officer may change with a reason.",
    )
    final_limit = fields.Monetary(string="Credit Limit", tracking=True)
    final_days = fields.Integer(string="Credit Term (days)", tracking=True)
    adjust_reason = fields.Text(
        string="Reason", tracking=True, help="Why the decision differs from the proposal."
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_on = fields.Datetime(readonly=True)
    valid_until = fields.Date(readonly=True)
    budget_reason = fields.Text(
        string="Budget Override Reason",
        help="Why the limit may exceed the company's credit budget: needed, with a credit "
        "manager's approval, when approving the review would exceed it.",
    )

    @api.constrains("final_limit", "final_days")
    def _check_final_values(self):
        for review in self:
            if review.final_limit < 0 or review.final_days < 0:
                raise ValidationError(_("A credit limit or a credit term cannot be negative."))

    def write(self, vals):
        """A decided review is the record of a decision: what was computed, what was decided,
        by whom and when stay as they were (only chatter and activities go on). The customer
        and the date a review was computed for are given when it is created, never after."""
        if any(review.state in ("approved", "rejected") for review in self) and any(
            name in DECIDED_FIELDS for name in vals
        ):
            raise UserError(_("A decided review cannot be changed: start a new review."))
        if {"file_id", "date"} & vals.keys() and not audit_writer_open(self.env):
            self._raise_audit_write({"file_id", "date"} & vals.keys())
        return super().write(vals)

    # ------------------------------------------------------------------
    def action_compute(self):
        """Compute score, grade, limit and term from today's file, ledger and policy."""
        self.file_id._check_officer()
        for review in self:
            if review.state not in ("draft", "to_approve"):
                raise UserError(_("A decided review cannot be computed again."))
            values = review._compute_proposal()
            with audit_writer(self.env):
                review.write(values)
        return True

    def _compute_proposal(self):
        self.ensure_one()
        file = self.file_id
        policy = file._policy()
        behaviour = file._payment_behaviour(self.date)[file.id]
        statement = file._latest_statement()
        core_statement = (
            statement._to_core(currency=file.currency_id, company=file.company_id)
            if statement
            else None
        )
        values = dict(core_ratios.ratio_values(core_statement)) if core_statement else {}
        has_history = behaviour["first_date"] is not None
        for name in ("payment_rate", "avg_days_late", "overdue_count", "longest_overdue_days"):
            # no ledger at all is "unknown", not "never late"
            values[name] = behaviour[name] if has_history else None
        values.update(file._five_c_values())
        flags = core_scoring.flags_from_values(values) | file._flags()

        scoring_model = policy.scoring_model_id
        scoring_model._check_usable()
        Grade = self.env["credit.grade"]
        result = core_scoring.rate(Grade._get_scale(), scoring_model._to_core(), values, flags)
        is_new = core_scoring.is_new_customer(
            behaviour["history_months"], policy.new_customer_months
        )
        grade_code = core_scoring.NEW_CUSTOMER_GRADE if is_new else (result.grade or "C")
        grade = Grade.search([("code", "=", grade_code)], limit=1)

        limit_values = self._propose_limit(policy, grade, core_statement)
        term = core_terms.propose_credit_days(
            grade._to_core_policy(),
            industry_dso=file._industry_dso(),
            company_coefficient=policy.company_dso_coefficient,
        )
        notes = [
            _("%(rule)s: %(effect)s %(grade)s", rule=labels[0], effect=labels[1], grade=o.grade)
            for o in result.applied_overrides
            for labels in [self._override_labels(o)]
        ]
        if is_new:
            notes.append(
                _(
                    "New customer: %(months)s months of history, %(minimum)s required.",
                    months=behaviour["history_months"] or 0,
                    minimum=policy.new_customer_months,
                )
            )
        factor_labels = dict(
            self.env["credit.scoring.factor"]._fields["code"]._description_selection(self.env)
        )
        payment_rate = behaviour["payment_rate"]
        return {
            "score": float(result.score or 0),
            "score_grade_id": Grade.search([("code", "=", result.score_grade)], limit=1).id
            if result.score_grade
            else False,
            "proposed_grade_id": grade.id,
            "final_grade_id": grade.id,
            "is_new_customer": is_new,
            "override_note": "\n".join(notes),
            "missing_factors": ", ".join(factor_labels.get(code, code) for code in result.missing),
            "line_ids": [fields.Command.clear()]
            + [
                fields.Command.create(
                    {
                        "code": line.code,
                        "value": float(line.value),
                        "points": float(line.points),
                        "weight": float(line.weight),
                        "contribution": float(line.contribution),
                    }
                )
                for line in result.lines
            ],
            "payment_rate": float(payment_rate * 100) if payment_rate is not None else 0.0,
            "overdue_amount": float(behaviour["overdue_amount"]),
            "longest_overdue_days": int(behaviour["longest_overdue_days"]),
            "history_months": behaviour["history_months"] or 0,
            "proposed_days": term.days,
            "final_days": term.days,
            "term_note": _(
                "%(dso)s days (industry DSO) x %(company)s x %(grade)s = %(days)s days",
                dso=term.industry_dso,
                company=term.company_coefficient,
                grade=term.grade_coefficient,
                days=term.days,
            )
            if term.credit_allowed
            else _("Grade %(grade)s allows no credit.", grade=grade.code),
            "state": "to_approve",
            **limit_values,
        }

    def _override_labels(self, override):
        rule = dict(
            self.env["credit.scoring.override"]._fields["flag"]._description_selection(self.env)
        ).get(override.code, override.code)
        effect = dict(
            self.env["credit.scoring.override"]._fields["kind"]._description_selection(self.env)
        ).get(override.kind, override.kind)
        return rule, effect

    def _propose_limit(self, policy, grade, core_statement):
        """Proposed limit by the policy's method; without a statement a computed method has
        no base, so the proposal is 0 and says why."""
        method = policy.limit_method
        try:
            proposal = core_limits.propose_limit(
                method,
                grade._to_core_policy(),
                statement=core_statement,
                manual_amount=self.file_id.credit_limit if method == "manual" else None,
            )
        except core_limits.InvalidLimitError as error:
            if any(problem.kind == "missing" for problem in error.problems):
                return {
                    "proposed_limit": 0.0,
                    "final_limit": 0.0,
                    "limit_method": method,
                    "limit_base": 0.0,
                    "limit_note": _(
                        "No financial statement gives a base for this method: no credit is "
                        "proposed until one is entered."
                    ),
                }
            raise
        cap_labels = {
            core_limits.CAP_NET_WORTH: _("capped at net worth"),
            core_limits.CAP_WORKING_CAPITAL: _("capped at net working capital"),
            core_limits.CAP_NOT_NEGATIVE: _("a negative base gives no credit"),
            core_limits.CAP_GRADE_POLICY: _("the grade allows no credit"),
        }
        notes = [cap_labels[cap] for cap in proposal.caps_applied]
        if proposal.base_amount is not None:
            notes.insert(
                0,
                _(
                    "%(ratio)s %% of %(base)s",
                    ratio=proposal.ratio,
                    base=self.currency_id.format(float(proposal.base_amount)),
                ),
            )
        if proposal.rounding_step:
            notes.append(_("rounded down to %(step)s", step=proposal.rounding_step))
        return {
            "proposed_limit": float(proposal.amount),
            "final_limit": float(proposal.amount),
            "limit_method": method,
            "limit_base": float(proposal.base_amount or 0),
            "limit_note": "; ".join(notes),
        }

    def _is_adjusted(self):
        self.ensure_one()
        return (
            self.final_grade_id != self.proposed_grade_id
            or float_compare(self.final_limit, self.proposed_limit, 2) != 0
            or self.final_days != self.proposed_days
        )

    def _check_approvable(self):
        """Every reason not to approve, checked for all the reviews before anything is
        written. A review older than an approved one of the same customer is out of date:
        approving it would put an older rating back in force."""
        if len(self.file_id) < len(self):
            raise UserError(_("Approve one review per customer at a time."))
        for review in self:
            if review.state != "to_approve":
                raise UserError(
                    _("%(review)s is not waiting for approval.", review=review.display_name)
                )
            if not review.final_grade_id:
                raise UserError(_("Choose a grade before approving."))
            if review._is_adjusted() and not (review.adjust_reason or "").strip():
                raise UserError(
                    _("The decision differs from the proposal: give the reason for the change.")
                )
            # the payment term the customer will get must be one we can give
            review.file_id._policy()._granted_terms(review.final_days)
            newer = self.search_count(
                [
                    ("file_id", "=", review.file_id.id),
                    ("state", "=", "approved"),
                    "|",
                    ("date", ">", review.date),
                    "&",
                    ("date", "=", review.date),
                    ("id", ">", review.id),
                ],
                limit=1,
            )
            if newer:
                raise UserError(
                    _(
                        "%(review)s is out of date: a newer review of %(customer)s has been "
                        "approved since. Start a new review.",
                        review=review.display_name,
                        customer=review.partner_id.display_name,
                    )
                )

    def action_approve(self):
        """Approve: the decided grade, limit and term become the customer's current ones."""
        self.file_id._check_officer()
        self._lock_for_decision()
        self._check_approvable()
        approved = self._four_eyes_split()
        for review in approved:
            policy = review.file_id._policy()
            # written whole or not at all: the credit budget may refuse the new limit
            with (
                self.env.cr.savepoint(),
                audit_writer(self.env),
                budget_override(self.env, review.budget_reason),
            ):
                file = review.file_id
                review.write(
                    {
                        "state": "approved",
                        "decided_by_id": self.env.uid,
                        "decided_on": fields.Datetime.now(),
                        "valid_until": review.date
                        + relativedelta(months=policy.rating_validity_months),
                        **{
                            name: file._fields[source].convert_to_write(file[source], file)
                            for name, source in PREVIOUS_FIELDS.items()
                        },
                    }
                )
                review.file_id._apply_review(review)
            review.file_id.message_post(
                body=_(
                    "Review approved by %(user)s: grade %(grade)s, limit %(limit)s, "
                    "term %(days)s days, valid until %(date)s.",
                    user=self.env.user.name,
                    grade=review.final_grade_id.code,
                    limit=review.currency_id.format(review.final_limit),
                    days=review.final_days,
                    date=review.valid_until,
                )
            )
            review.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def _four_eyes_facts(self, **decision):
        """A review raises the limit when its decided limit is above the file's rated
        limit now."""
        self.ensure_one()
        before, new = self.file_id.credit_limit, self.final_limit
        return {
            "limit_before": before,
            "new_limit": new,
            "overdue_amount": self._four_eyes_overdue() if new > before else 0.0,
        }

    def _four_eyes_first_approval_values(self, reason, **decision):
        """The review's reason (for adjusting the proposal) is the first approval's."""
        values = super()._four_eyes_first_approval_values(reason, **decision)
        values["first_approval_reason"] = self.adjust_reason or False
        return values

    def action_reject(self):
        """Reject the review: the customer keeps its current rating."""
        self.file_id._check_officer()
        self._lock_for_decision()
        for review in self:
            if review.state != "to_approve":
                raise UserError(
                    _("%(review)s is not waiting for approval.", review=review.display_name)
                )
            if not (review.adjust_reason or "").strip():
                raise UserError(_("Give the reason for rejecting the review."))
        for review in self:
            with audit_writer(self.env):
                review.write(
                    {
                        "state": "rejected",
                        "decided_by_id": self.env.uid,
                        "decided_on": fields.Datetime.now(),
                    }
                )
            review.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def _notify_officer(self, summary):
        for review in self:
            officer = review.file_id.officer_id or review.file_id._policy().officer_id
            if officer:
                review.activity_schedule(
                    "mail.mail_activity_data_todo", summary=summary, user_id=officer.id
                )
