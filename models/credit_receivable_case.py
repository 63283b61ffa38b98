from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..credit_management import provisions as core_provisions
from .credit_decision_mixin import audit_writer

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
    _inherit = ["mail.thread", "mail.activity.mixin", "credit.decision.mixin"]
    _order = "state, opened_on desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True
    # the daily job's figures and dates, and the officer's decisions (doubtful, legal,
    # closed): written by the job and the buttons only
    _credit_audit_fields = frozenset(
        {
            "state",
            "opened_on",
            "plan_due_date",
            "supervision_end",
            "plan_submitted_on",
            "doubtful_on",
            "doubtful_reason",
            "doubtful_by_officer",
            "legal_on",
            "closed_on",
            "overdue_amount",
            "max_days_overdue",
        }
    )
    _credit_audit_defaults = {"state": "overdue"}

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
    doubtful_by_officer = fields.Boolean(
        string="Customer Classified Doubtful",
        readonly=True,
        help="A credit officer classified the customer as doubtful: all its receivables are "
        "provisioned at the doubtful rate and may be written off once due. Otherwise (items "
        "past the threshold or classified one by one) only those items are doubtful.",
    )
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
            with audit_writer(self.env):
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
        return True

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

    def _mark_doubtful(self, reason, by_officer=False):
        """Classify the cases as doubtful / bad (呆坏账): by an officer's decision on the
        customer (``by_officer``: all its receivables become doubtful) or by the daily job
        (items past the threshold or classified one by one: only those items are doubtful);
        ``reason`` is one text for all, or {case id: text}."""
        if self.filtered(
            lambda case: (
                case.state != "overdue"
                and not (
                    by_officer
                    and case.state in ("doubtful", "legal")
                    and not case.doubtful_by_officer
                )
            )
        ):
            raise UserError(self.env._("Only an overdue case can become doubtful."))
        reasons = reason if isinstance(reason, dict) else dict.fromkeys(self.ids, reason)
        today = fields.Date.context_today(self)
        for case in self:
            with audit_writer(self.env):
                case.sudo().write(
                    {
                        "state": "doubtful" if case.state == "overdue" else case.state,
                        "doubtful_on": case.doubtful_on or today,
                        "doubtful_reason": reasons[case.id],
                        "doubtful_by_officer": by_officer,
                    }
                )
        self._message_log_batch(
            {
                case.id: self.env._(
                    "Classified as doubtful / bad: %(reason)s", reason=reasons[case.id]
                )
                for case in self
            }
        )
        self._schedule_todos(
            {
                case: (case.officer_id, today, self.env._("Hand the doubtful debt over to legal"))
                for case in self
                if case.state == "doubtful"
            }
        )

    def _schedule_todos(self, todos):
        """One to-do activity per case in one create: {case: (user, deadline, summary)};
        cases without a user get none."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        model = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].sudo().create(
            [
                {
                    "res_model_id": model,
                    "res_id": case.id,
                    "activity_type_id": todo.id,
                    "user_id": user.id,
                    "date_deadline": deadline,
                    "summary": summary,
                    "automated": True,
                }
                for case, (user, deadline, summary) in todos.items()
                if user
            ]
        )

    def action_send_to_legal(self):
        self._check_officer()
        for case in self:
            if case.state != "doubtful":
                raise UserError(self.env._("Only doubtful debts are handed to legal."))
        with audit_writer(self.env):
            self.sudo().write({"state": "legal", "legal_on": fields.Date.context_today(self)})
        self.activity_feedback(["mail.mail_activity_data_todo"])
        for case in self:
            case.message_post(body=self.env._("Handed over to legal."))
        return True

    def action_close(self):
        self._check_officer()
        self._close(self.env._("Closed by %(user)s.", user=self.env.user.name))
        return True

    def _close(self, message):
        open_cases = self.filtered(lambda case: case.state != "closed")
        with audit_writer(self.env):
            open_cases.sudo().write(
                {"state": "closed", "closed_on": fields.Date.context_today(self)}
            )
        open_cases.activity_unlink(["mail.mail_activity_data_todo"])
        open_cases._message_log_batch(dict.fromkeys(open_cases.ids, message))

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
        items = self.env["credit.aging.engine"]._open_items_sql(
            None, companies.ids, extra_fields=("credit_doubtful",)
        )
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT items.company_id, p.commercial_partner_id AS partner_id,
                   COALESCE(SUM(items.residual) FILTER (
                       WHERE items.residual > 0 AND items.due_date < %(today)s), 0)
                       AS overdue_amount,
                   COALESCE(MAX(%(today)s - items.due_date) FILTER (
                       WHERE items.residual > 0), 0) AS max_days,
                   BOOL_OR(items.credit_doubtful AND items.residual > 0) AS flagged
              FROM (%(items)s) items
              JOIN res_partner p ON p.id = items.partner_id
          GROUP BY items.company_id, p.commercial_partner_id
                """,
                items=items,
                today=today,
            )
        )
        return {(row["company_id"], row["partner_id"]): row for row in rows}

    @api.model
    def _cron_update_cases(self):
        if not self.env["ir.cron"]._credit_claim_job("update_receivable_cases"):
            return
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
        due = {
            key: row for key, row in status.items() if row["overdue_amount"] > 0 or row["flagged"]
        }
        by_key.update(self._open_cases([key for key in due if key not in by_key], today))
        escalate = {}
        for key, row in due.items():
            case = by_key[key]
            values = {"overdue_amount": row["overdue_amount"], "max_days_overdue": row["max_days"]}
            if any(case[name] != value for name, value in values.items()):
                with audit_writer(self.env):
                    case.write(values)
            company = case.company_id
            doubtful = row["flagged"] or (
                core_provisions.classify(row["max_days"], company.credit_doubtful_days)
                == core_provisions.DOUBTFUL
            )
            if case.state == "overdue" and doubtful:
                escalate[case.id] = (
                    self.env._("Items classified doubtful by a credit officer.")
                    if row["flagged"]
                    else self.env._(
                        "Overdue for %(days)s days (threshold: %(threshold)s days).",
                        days=row["max_days"],
                        threshold=company.credit_doubtful_days,
                    )
                )
        self.sudo().browse(list(escalate))._mark_doubtful(escalate)
        paid = self.sudo().browse([case.id for key, case in by_key.items() if key not in due])
        with audit_writer(self.env):
            paid.write({"overdue_amount": 0.0, "max_days_overdue": 0})
        paid._close(self.env._("Nothing is overdue any more: case closed."))

    @api.model
    def _open_cases(self, keys, today):
        """Open one case per (company id, partner id) in ``keys``, in one create; the
        salesperson in charge gets a to-do due on the plan's due date. Returns {key: case}."""
        if not keys:
            return {}
        companies = self.env["res.company"].browse({company for company, _p in keys})
        partners = self.env["res.partner"].browse({partner for _c, partner in keys})
        files = (
            self.env["credit.file"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids), ("partner_id", "in", partners.ids)])
        )
        file_officer = {(f.company_id.id, f.partner_id.id): f.officer_id for f in files}
        Policy = self.env["credit.policy"].sudo()
        shared = Policy.search([("company_id", "=", False)], limit=1)
        policy_officer = {
            company.id: (
                Policy.search([("company_id", "=", company.id)], limit=1) or shared
            ).officer_id
            for company in companies
        }
        values = []
        for company_id, partner_id in keys:
            company = companies.browse(company_id)
            partner = partners.browse(partner_id)
            officer = file_officer.get((company_id, partner_id)) or policy_officer[company_id]
            values.append(
                {
                    "partner_id": partner_id,
                    "company_id": company_id,
                    "user_id": (partner.user_id or officer).id,
                    "officer_id": officer.id,
                    "opened_on": today,
                    "plan_due_date": today + timedelta(days=company.credit_plan_days),
                    "supervision_end": today + timedelta(days=company.credit_supervision_days),
                }
            )
        with audit_writer(self.env):
            cases = self.sudo().with_context(mail_create_nolog=True).create(values)
        cases._message_log_batch(
            dict.fromkeys(cases.ids, self.env._("Overdue receivables: case opened."))
        )
        cases._schedule_todos(
            {
                case: (
                    case.user_id,
                    case.plan_due_date,
                    self.env._("Write the cause and the collection plan"),
                )
                for case in cases
            }
        )
        return {(case.company_id.id, case.partner_id.id): case for case in cases}

    def _doubtful_partner_ids(self, companies):
        """{company id: set of partner ids} of customers a credit officer classified doubtful
        on an open case (cases escalated by age leave each item to its own classification)."""
        result = {}
        cases = self.sudo().search(
            [
                ("company_id", "in", companies.ids),
                ("state", "in", ("doubtful", "legal")),
                ("doubtful_by_officer", "=", True),
            ]
        )
        for case in cases:
            result.setdefault(case.company_id.id, set()).add(case.partner_id.id)
        return result
