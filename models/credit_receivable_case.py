from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..credit_management import provisions as core_provisions

CASE_STATES = [
    ("overdue", "Overdue"),
    ("doubtful", "Doubtful / Bad"),
    ("legal", "With Legal"),
    ("closed", "Closed"),
]
OPEN_STATES = ("overdue", "doubtful", "legal")
SALESPERSON_FIELDS = {"cause", "plan"}
"""What the salesperson in charge writes on a case; the rest belongs to credit officers."""


class CreditReceivableCase(models.Model):
    """The handling of one customer's overdue receivables in one company (credit domain doc,
    "Classification and handling"): when money is past its term (拖欠款) the salesperson
    writes the cause and a collection plan within the company's deadline, and the credit
    department supervises the case for 30 days; when it becomes doubtful or bad (呆坏账),
    by age or by an officer's decision, the case goes to legal with a record of cause and
    responsibility. A customer has at most one open case per company; a daily job opens,
    escalates and closes cases from the ledger."""

    _name = "credit.receivable.case"
    _description = "Overdue Receivable Case"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, opened_on desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        CASE_STATES, required=True, default="overdue", readonly=True, tracking=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        tracking=True,
        help="Writes the cause and the collection plan; by default the customer's salesperson.",
    )
    officer_id = fields.Many2one(
        "res.users",
        string="Credit Officer",
        tracking=True,
        help="Supervises the case and decides on doubtful debts and legal action.",
    )
    opened_on = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    plan_due_date = fields.Date(
        string="Plan Due",
        readonly=True,
        help="The salesperson's cause and collection plan are due on this day.",
    )
    supervision_end = fields.Date(
        readonly=True, help="The credit department supervises the case until this day."
    )
    cause = fields.Text(tracking=True, help="Why the customer has not paid, in writing.")
    plan = fields.Text(
        string="Collection Plan", tracking=True, help="How and when the money will be collected."
    )
    plan_submitted_on = fields.Date(readonly=True)
    doubtful_on = fields.Date(readonly=True)
    doubtful_reason = fields.Text(readonly=True, tracking=True)
    legal_on = fields.Date(string="Handed to Legal On", readonly=True)
    closed_on = fields.Date(readonly=True)
    overdue_amount = fields.Monetary(
        readonly=True,
        currency_field="currency_id",
        help="Open receivables past their due date, as of the last update.",
    )
    max_days_overdue = fields.Integer(
        string="Oldest Overdue (days)",
        readonly=True,
        help="Days past due of the oldest open receivable, as of the last update.",
    )
    plan_late = fields.Boolean(
        compute="_compute_plan_late",
        help="The plan was not written by its due date.",
    )

    @api.depends("plan_submitted_on", "plan_due_date", "state")
    @api.depends_context("date")
    def _compute_plan_late(self):
        today = fields.Date.context_today(self)
        for case in self:
            case.plan_late = bool(
                case.state == "overdue"
                and not case.plan_submitted_on
                and case.plan_due_date
                and case.plan_due_date < today
            )

    def init(self):
        # one open case per customer and company
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS credit_receivable_case_open_unique "
                "ON credit_receivable_case (partner_id, company_id) WHERE state != 'closed'"
            )
        )

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------
    def _is_officer(self):
        return self.env.su or self.env.user.has_group("credit_management.group_credit_officer")

    def _check_officer(self):
        if not self._is_officer():
            raise AccessError(self.env._("Only credit officers and managers can do this."))

    def write(self, vals):
        if not self._is_officer() and set(vals) - SALESPERSON_FIELDS:
            raise AccessError(
                self.env._("Salespeople write the cause and the plan of a case, nothing else.")
            )
        if not self._is_officer() and any(case.user_id != self.env.user for case in self):
            raise AccessError(
                self.env._("Only the salesperson in charge of a case can write its plan.")
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # workflow
    # ------------------------------------------------------------------
    def action_submit_plan(self):
        """The salesperson hands in the written cause and collection plan."""
        for case in self:
            if case.state != "overdue":
                raise UserError(self.env._("Only overdue cases wait for a collection plan."))
            if not (case.cause or "").strip() or not (case.plan or "").strip():
                raise UserError(
                    self.env._("Write both the cause of the delay and the collection plan.")
                )
            if not case._is_officer() and case.user_id != self.env.user:
                raise AccessError(
                    self.env._("Only the salesperson in charge of a case can write its plan.")
                )
        today = fields.Date.context_today(self)
        for case in self:
            case.sudo().write({"plan_submitted_on": today})
            case.activity_feedback(
                ["mail.mail_activity_data_todo"],
                feedback=self.env._("Cause and collection plan written."),
            )
            case.message_post(body=self.env._("Cause and collection plan handed in."))
            if case.officer_id:
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=case.supervision_end,
                    summary=self.env._("End of supervision: report on the collection"),
                    user_id=case.officer_id.id,
                )

    def action_mark_doubtful(self):
        """Ask the officer for the reason (the wizard calls ``_mark_doubtful``)."""
        self._check_officer()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Classify as Doubtful"),
            "res_model": "credit.doubtful.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def _mark_doubtful(self, reason):
        """Classify the customer's receivables as doubtful / bad (呆坏账): by officer decision
        (``reason`` given) or by age (the daily job)."""
        today = fields.Date.context_today(self)
        for case in self:
            if case.state not in ("overdue",):
                raise UserError(self.env._("Only an overdue case can become doubtful."))
            case.sudo().write(
                {"state": "doubtful", "doubtful_on": today, "doubtful_reason": reason}
            )
            case.message_post(
                body=self.env._("Classified as doubtful / bad: %(reason)s", reason=reason)
            )
            if case.officer_id:
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Hand the doubtful debt over to legal"),
                    user_id=case.officer_id.id,
                )

    def action_send_to_legal(self):
        self._check_officer()
        for case in self:
            if case.state != "doubtful":
                raise UserError(self.env._("Only doubtful debts are handed to legal."))
        self.sudo().write({"state": "legal", "legal_on": fields.Date.context_today(self)})
        self.activity_feedback(["mail.mail_activity_data_todo"])
        for case in self:
            case.message_post(body=self.env._("Handed over to legal."))

    def action_close(self):
        self._check_officer()
        self._close(self.env._("Closed by %(user)s.", user=self.env.user.name))

    def _close(self, message):
        open_cases = self.filtered(lambda case: case.state != "closed")
        open_cases.sudo().write({"state": "closed", "closed_on": fields.Date.context_today(self)})
        open_cases.activity_unlink(["mail.mail_activity_data_todo"])
        for case in open_cases:
            case.message_post(body=message)

    # ------------------------------------------------------------------
    # from the ledger
    # ------------------------------------------------------------------
    @api.model
    def _overdue_status(self, companies, today):
        """{(company id, commercial partner id): {overdue_amount, max_days, flagged}} of every
        customer with open receivables, in one SQL aggregate over today's open items
        (company currency): overdue amount = open debit items past their due date, max_days
        = days past due of the oldest of them, flagged = an item an officer classified as
        doubtful."""
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "amount_residual",
                "company_id",
                "credit_doubtful",
                "date",
                "date_maturity",
                "parent_state",
                "partner_id",
                "reconciled",
            ]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT aml.company_id, p.commercial_partner_id AS partner_id,
                   COALESCE(SUM(aml.amount_residual) FILTER (
                       WHERE aml.amount_residual > 0
                         AND COALESCE(aml.date_maturity, aml.date) < %(today)s), 0)
                       AS overdue_amount,
                   COALESCE(MAX(%(today)s - COALESCE(aml.date_maturity, aml.date)) FILTER (
                       WHERE aml.amount_residual > 0), 0) AS max_days,
                   BOOL_OR(aml.credit_doubtful AND aml.amount_residual > 0) AS flagged
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.parent_state = 'posted'
               AND acc.account_type = 'asset_receivable'
               AND NOT aml.reconciled
               AND aml.company_id = ANY(%(companies)s)
          GROUP BY aml.company_id, p.commercial_partner_id
                """,
                today=today,
                companies=companies.ids,
            )
        )
        return {(row["company_id"], row["partner_id"]): row for row in rows}

    @api.model
    def _cron_update_cases(self):
        self._update_cases(self.env["res.company"].search([]))

    @api.model
    def _update_cases(self, companies):
        """Open a case for every customer with money past due and no open case; escalate to
        doubtful the cases whose oldest item reached the company's threshold or holds an
        item an officer classified doubtful; close the cases of customers who owe nothing
        past due any more. Running it twice the same day changes nothing the second time."""
        today = fields.Date.context_today(self)
        status = self._overdue_status(companies, today)
        cases = (
            self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids), ("state", "in", OPEN_STATES)])
        )
        by_key = {(case.company_id.id, case.partner_id.id): case for case in cases}
        for (company_id, partner_id), row in status.items():
            if row["overdue_amount"] <= 0 and not row["flagged"]:
                continue
            case = by_key.get((company_id, partner_id))
            values = {"overdue_amount": row["overdue_amount"], "max_days_overdue": row["max_days"]}
            if not case:
                case = self._open_case(company_id, partner_id, today)
                by_key[(company_id, partner_id)] = case
            if any(case[name] != value for name, value in values.items()):
                case.write(values)
            company = case.company_id
            doubtful = row["flagged"] or (
                core_provisions.classify(row["max_days"], company.credit_doubtful_days)
                == core_provisions.DOUBTFUL
            )
            if case.state == "overdue" and doubtful:
                case._mark_doubtful(
                    self.env._("Items classified doubtful by a credit officer.")
                    if row["flagged"]
                    else self.env._(
                        "Overdue for %(days)s days (threshold: %(threshold)s days).",
                        days=row["max_days"],
                        threshold=company.credit_doubtful_days,
                    )
                )
        for key, case in by_key.items():
            row = status.get(key)
            if not row or (row["overdue_amount"] <= 0 and not row["flagged"]):
                case.write({"overdue_amount": 0.0, "max_days_overdue": 0})
                case._close(self.env._("Nothing is overdue any more: case closed."))

    @api.model
    def _open_case(self, company_id, partner_id, today):
        company = self.env["res.company"].browse(company_id)
        partner = self.env["res.partner"].browse(partner_id)
        file = self.env["credit.file"].sudo()._get_for_partner(partner, company, create=False)
        officer = file.officer_id
        if not officer:
            policy = (
                self.env["credit.policy"]
                .sudo()
                .search(
                    ["|", ("company_id", "=", company.id), ("company_id", "=", False)],
                    order="company_id",
                    limit=1,
                )
            )
            officer = policy.officer_id
        salesperson = partner.user_id or officer
        case = self.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "user_id": salesperson.id,
                "officer_id": officer.id,
                "opened_on": today,
                "plan_due_date": today + timedelta(days=company.credit_plan_days),
                "supervision_end": today + timedelta(days=company.credit_supervision_days),
            }
        )
        case.message_post(body=self.env._("Overdue receivables: case opened."))
        if salesperson:
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=case.plan_due_date,
                summary=self.env._("Write the cause and the collection plan"),
                user_id=salesperson.id,
            )
        return case

    def _doubtful_partner_ids(self, companies):
        """{company id: set of partner ids} of customers an open case classifies doubtful."""
        result = {}
        cases = self.sudo().search(
            [("company_id", "in", companies.ids), ("state", "in", ("doubtful", "legal"))]
        )
        for case in cases:
            result.setdefault(case.company_id.id, set()).add(case.partner_id.id)
        return result
