from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..credit_management import concentration as core_concentration
from ..credit_management import scoring as core_scoring
from .credit_budget import LIMIT_FIELDS
from .credit_decision_mixin import audit_writer, audit_writer_open
from .credit_kpi import DEFAULT_PERIOD_DAYS, KPI_HELP

FIVE_C = [(str(mark), str(mark)) for mark in range(6)]
FIVE_C_HELP = "0 (very poor) to 5 (excellent), as judged by the credit officer."
TREND_DAYS = 90
"""Length of each of the two periods compared for the warning sign "payments get slower"."""


class CreditFile(models.Model):
    """The credit file (客户信用档案) of one customer in one company: what we know of it
    (investigations, financial statements, the officer's 5C marks and red flags) and the
    rating, limit and term currently granted. Ratings change only through approved reviews,
    so that every change has its who, when and why."""

    _name = "credit.file"
    _description = "Credit File"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "partner_id, company_id"
    _rec_name = "partner_id"
    _check_company_auto = True
    _credit_audit_fields = frozenset(
        {
            "grade_id",
            "score",
            "credit_limit",
            "credit_days",
            "rating_date",
            "valid_until",
            "temporary_limit",
            "temporary_limit_until",
        }
    )
    """The rating and the limits in force: written only by the decisions that grant them (an
    approved review, an approved limit request, a hold approved with a temporary limit) and
    by the job that ends temporary limits, inside their ``audit_writer`` block. The officer's
    own settings (unlimited, credit hold, stopped deliveries, group limit, marks and flags)
    stay editable by officers and are tracked."""

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('parent_id', '=', False)]",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    officer_id = fields.Many2one(
        "res.users",
        string="Credit Officer",
        tracking=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("credit_management.group_credit_officer").ids)
        ],
        help="The officer who keeps this file and receives its reviews and warnings.",
    )
    active = fields.Boolean(default=True)

    # --- current rating, limit and term (written by approved reviews) ---
    grade_id = fields.Many2one("credit.grade", readonly=True, tracking=True)
    score = fields.Float(digits=(5, 2), readonly=True)
    sales_mode = fields.Selection(
        related="grade_id.sales_mode", string="Sales Mode", help="What the grade allows."
    )
    credit_limit = fields.Monetary(readonly=True, tracking=True, currency_field="currency_id")
    credit_days = fields.Integer(string="Credit Term (days)", readonly=True, tracking=True)
    rating_date = fields.Date(readonly=True)
    valid_until = fields.Date(readonly=True, tracking=True)
    temporary_limit = fields.Monetary(readonly=True, tracking=True, currency_field="currency_id")
    temporary_limit_until = fields.Date(readonly=True, tracking=True)
    effective_limit = fields.Monetary(
        string="Credit Limit in Force",
        compute="_compute_effective_limit",
        currency_field="currency_id",
        help="The limit in force today: the temporary limit while it runs, else the rated limit.",
    )

    # dunning: the customer's own policy, its collection history
    dunning_policy_id = fields.Many2one(
        "credit.dunning.policy",
        check_company=True,
        tracking=True,
        help="The customer's own dunning policy. Empty: the policy of its grade, else the "
        "company default.",
    )
    collection_log_ids = fields.One2many("credit.collection.log", "file_id")
    payment_promise_ids = fields.One2many(
        "credit.payment.promise", "file_id", string="Payment Promises"
    )
    # the customer's main receivable KPIs over the last 90 days, computed on read with the
    # dashboard's SQL aggregates for all the files displayed (never stored: always the
    # ledger now)
    kpi_period_start = fields.Date(
        string="KPIs Since", compute="_compute_kpis", help="First day of the KPI period."
    )
    kpi_credit_sales = fields.Monetary(
        string="Credit Sales (90 days)",
        compute="_compute_kpis",
        currency_field="currency_id",
        help="Customer invoices minus credit notes of the last 90 days.",
    )
    kpi_receivable = fields.Monetary(
        string="Open Receivables",
        compute="_compute_kpis",
        currency_field="currency_id",
        help="Open receivables today.",
    )
    kpi_dso = fields.Float(
        string="DSO (days)", digits=(16, 1), compute="_compute_kpis", help=KPI_HELP["dso"]
    )
    kpi_days_to_pay = fields.Float(
        string="Average Days to Pay",
        digits=(16, 1),
        compute="_compute_kpis",
        help=KPI_HELP["days_to_pay"],
    )
    kpi_days_late = fields.Float(
        string="Average Days Late",
        digits=(16, 1),
        compute="_compute_kpis",
        help=KPI_HELP["days_late"],
    )
    kpi_overdue_ratio = fields.Float(
        string="Overdue Ratio (%)",
        digits=(16, 1),
        compute="_compute_kpis",
        help=KPI_HELP["overdue_ratio"],
    )

    @api.depends("credit_limit", "temporary_limit", "temporary_limit_until")
    @api.depends_context("date")
    def _compute_effective_limit(self):
        today = fields.Date.context_today(self)
        for file in self:
            temporary = (
                file.temporary_limit
                if file.temporary_limit_until and file.temporary_limit_until >= today
                else 0.0
            )
            file.effective_limit = max(file.credit_limit, temporary)

    unlimited = fields.Boolean(
        string="Unlimited Credit",
        tracking=True,
        help="No ceiling for this customer's exposure. A credit limit of 0 means no credit "
        "at all, so an unlimited customer must be marked here explicitly.",
    )
    on_hold = fields.Boolean(
        string="Credit Hold",
        tracking=True,
        help="Every new order of this customer waits for a credit officer (e.g. after a "
        "warning sign).",
    )
    hold_reason = fields.Char(tracking=True)
    stop_deliveries = fields.Boolean(
        string="Deliveries Stopped",
        tracking=True,
        help="No delivery to this customer may be validated until a credit officer lifts the "
        "stop (set by hand, or by a dunning level).",
    )
    stop_deliveries_reason = fields.Char(string="Reason for Stopping Deliveries", tracking=True)

    # credit group: a parent company carrying one limit shared by its subsidiaries
    is_credit_group = fields.Boolean(
        string="Credit Group Head",
        tracking=True,
        help="This customer carries a credit limit shared by its group: itself and the "
        "customers whose credit group it is. Their orders are held when the group's "
        "exposure would go above the group limit, whatever their own limits.",
    )
    group_limit = fields.Monetary(
        string="Group Credit Limit",
        tracking=True,
        help="The limit the whole group shares (0: the group gets no credit).",
    )
    group_file_id = fields.Many2one(
        "credit.file",
        string="Credit Group",
        tracking=True,
        index="btree_not_null",
        domain="[('company_id', '=', company_id), ('is_credit_group', '=', True), "
        "('id', '!=', id)]",
        help="The parent company's credit file whose group limit this customer shares.",
    )
    group_member_ids = fields.One2many("credit.file", "group_file_id", string="Group Members")

    rating_state = fields.Selection(
        [("unrated", "Not rated"), ("valid", "Valid"), ("expired", "Expired")],
        compute="_compute_rating_state",
        search="_search_rating_state",
    )

    @api.depends("grade_id", "valid_until")
    @api.depends_context("date")
    def _compute_rating_state(self):
        today = fields.Date.context_today(self)
        for file in self:
            if not file.grade_id:
                file.rating_state = "unrated"
            elif file.valid_until and file.valid_until < today:
                file.rating_state = "expired"
            else:
                file.rating_state = "valid"

    def _search_rating_state(self, operator, value):
        if operator not in ("=", "!=") or value not in ("unrated", "valid", "expired"):
            raise UserError(_("Unsupported search on the rating state."))
        today = fields.Date.context_today(self)
        domains = {
            "unrated": [("grade_id", "=", False)],
            "expired": [("grade_id", "!=", False), ("valid_until", "<", today)],
            "valid": [
                ("grade_id", "!=", False),
                "|",
                ("valid_until", "=", False),
                ("valid_until", ">=", today),
            ],
        }
        domain = domains[value]
        return domain if operator == "=" else ["!", *expression.normalize_domain(domain)]

    # --- what the officer knows ---
    investigation_ids = fields.One2many("credit.investigation", "file_id", string="Investigations")
    statement_ids = fields.One2many("credit.financial.statement", "file_id", string="Statements")
    review_ids = fields.One2many("credit.review", "file_id", string="Reviews")
    limit_request_ids = fields.One2many("credit.limit.request", "file_id", string="Limit Requests")
    warning_ids = fields.One2many("credit.warning", "file_id", string="Warning Signs")
    open_warning_count = fields.Integer(
        string="Open Warning Signs", compute="_compute_open_warning_count"
    )

    @api.depends("warning_ids.state")
    def _compute_open_warning_count(self):
        for file in self:
            file.open_warning_count = len(file.warning_ids.filtered(lambda w: w.state == "open"))

    character = fields.Selection(FIVE_C, help=FIVE_C_HELP, tracking=True)
    capacity = fields.Selection(FIVE_C, help=FIVE_C_HELP, tracking=True)
    capital = fields.Selection(FIVE_C, help=FIVE_C_HELP, tracking=True)
    collateral = fields.Selection(FIVE_C, help=FIVE_C_HELP, tracking=True)
    conditions = fields.Selection(FIVE_C, help=FIVE_C_HELP, tracking=True)

    competitor_products = fields.Boolean(
        string="Sells Competitors' Products",
        tracking=True,
        help="The customer sells competitors' products as a main line (经营同业竞品).",
    )
    risky_side_business = fields.Boolean(
        tracking=True, help="Real estate, futures, stocks or other risky side businesses."
    )
    large_debts_elsewhere = fields.Boolean(string="Large Debts to Other Suppliers", tracking=True)
    bad_records = fields.Boolean(tracking=True, help="Bad records anywhere (不良记录).")
    policy_violation = fields.Boolean(
        string="Sales Policy Violations",
        tracking=True,
        help="Cross-region dumping (倒货) or price cutting.",
    )
    bankrupt = fields.Boolean(string="Bankrupt / In Liquidation", tracking=True)

    _sql_constraints = [
        (
            "partner_company_unique",
            "unique(partner_id, company_id)",
            "A customer has one credit file per company.",
        ),
    ]

    @api.depends("partner_id", "company_id")
    @api.depends_context("date")
    def _compute_kpis(self):
        today = fields.Date.context_today(self)
        start = today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        for company in self.company_id:
            files = self.filtered(lambda file, company=company: file.company_id == company)
            # salespeople see the customer's receivables on its file anyway (exposure,
            # overdue): the KPIs read the whole ledger of the customer
            kpis = (
                self.env["credit.kpi"]
                .sudo()
                ._kpis(company.ids, start, today, partner_ids=files.partner_id.ids)
            )
            for file in files:
                values = kpis.get((company.id, file.partner_id.id), {})
                file.kpi_period_start = start
                file.kpi_credit_sales = float(values.get("credit_sales") or 0)
                file.kpi_receivable = float(values.get("closing_ar") or 0)
                for name in ("dso", "days_to_pay", "days_late", "overdue_ratio"):
                    file[f"kpi_{name}"] = float(values.get(name) or 0)
        (self - self.filtered("company_id")).update(
            {
                "kpi_period_start": start,
                "kpi_credit_sales": 0.0,
                "kpi_receivable": 0.0,
                "kpi_dso": 0.0,
                "kpi_days_to_pay": 0.0,
                "kpi_days_late": 0.0,
                "kpi_overdue_ratio": 0.0,
            }
        )

    @api.constrains("partner_id")
    def _check_commercial_partner(self):
        for file in self:
            if file.partner_id != file.partner_id.commercial_partner_id:
                raise UserError(
                    _(
                        "Credit files are kept for the company, not for its contacts: open "
                        "the file of %(company)s instead of %(contact)s.",
                        company=file.partner_id.commercial_partner_id.display_name,
                        contact=file.partner_id.display_name,
                    )
                )

    @api.constrains("is_credit_group", "group_file_id", "company_id")
    def _check_credit_group(self):
        for file in self:
            group = file.group_file_id
            if group and (not group.is_credit_group or file.is_credit_group):
                raise ValidationError(
                    _(
                        "%(customer)s cannot join the credit group of %(group)s: only a group "
                        "head carries a group, and a group head is in no other group.",
                        customer=file.partner_id.display_name,
                        group=group.partner_id.display_name,
                    )
                )
            if group and group.company_id != file.company_id:
                raise ValidationError(
                    _(
                        "%(customer)s and its credit group %(group)s must be in the same company.",
                        customer=file.partner_id.display_name,
                        group=group.partner_id.display_name,
                    )
                )
            if file.group_member_ids and not file.is_credit_group:
                raise ValidationError(
                    _(
                        "%(customer)s still heads a credit group: take its members out of the "
                        "group first.",
                        customer=file.partner_id.display_name,
                    )
                )

    @api.constrains("credit_limit", "temporary_limit", "group_limit")
    def _check_limits_not_negative(self):
        for file in self:
            if min(file.credit_limit, file.temporary_limit, file.group_limit) < 0:
                raise ValidationError(
                    _(
                        "The credit limits of %(customer)s cannot be negative: 0 already "
                        "means no credit.",
                        customer=file.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not audit_writer_open(self.env):
            for vals in vals_list:
                self._check_audit_values(
                    {name for name in self._credit_audit_fields & vals.keys() if vals[name]}
                )
        if not any(LIMIT_FIELDS & vals.keys() for vals in vals_list):
            return super().create(vals_list)
        with self.env.cr.savepoint():
            files = super().create(vals_list)
            self.env["credit.budget"]._check_raised_limits(files, {})
        return files

    def write(self, vals):
        if not audit_writer_open(self.env):
            self._check_audit_values(self._credit_audit_fields & vals.keys())
        if not LIMIT_FIELDS & vals.keys():
            return super().write(vals)
        # the company's credit budget (credit.budget): checked where the limits change,
        # whatever decision changes them; refused, nothing is written
        before = {file.id: file.effective_limit if file.active else 0.0 for file in self}
        with self.env.cr.savepoint():
            result = super().write(vals)
            self.env["credit.budget"]._check_raised_limits(self, before)
        return result

    def _check_audit_values(self, names):
        if names:
            labels = sorted(self._fields[name]._description_string(self.env) for name in names)
            raise AccessError(
                _(
                    "%(fields)s of a credit file change only through an approved review, limit "
                    "request or credit hold.",
                    fields=", ".join(labels),
                )
            )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _credit_group(self):
        """The head of this file's credit group (itself when it is one), else empty."""
        self.ensure_one()
        return self if self.is_credit_group else self.group_file_id

    def _credit_group_pairs(self):
        """{group head id: [(company id, commercial partner id) of every member, head
        included]} for the groups of these files."""
        heads = self.browse()
        for file in self:
            heads |= file._credit_group()
        return {
            head.id: [(m.company_id.id, m.partner_id.id) for m in head | head.group_member_ids]
            for head in heads
        }

    @api.model
    def _get_for_partner(self, partner, company=None, create=True):
        """The credit file of ``partner``'s commercial entity in ``company`` (default: the
        current company), created on demand."""
        company = company or self.env.company
        commercial = partner.commercial_partner_id
        file = self.with_context(active_test=False).search(
            [("partner_id", "=", commercial.id), ("company_id", "=", company.id)], limit=1
        )
        if not file and create:
            file = self.create({"partner_id": commercial.id, "company_id": company.id})
        return file

    @api.model
    def _files_by_pair(self, pairs):
        """{(company id, commercial partner id): credit file} for those of ``pairs`` that
        have one (archived ones too, as ``_get_for_partner``), in one search."""
        pairs = set(pairs)
        if not pairs:
            return {}
        files = self.with_context(active_test=False).search(
            [
                ("partner_id", "in", list({partner for _company, partner in pairs})),
                ("company_id", "in", list({company for company, _partner in pairs})),
            ]
        )
        return {
            pair: file
            for file in files
            if (pair := (file.company_id.id, file.partner_id.id)) in pairs
        }

    def _check_officer(self):
        if not self.env.user.has_group("credit_management.group_credit_officer"):
            raise AccessError(_("Only credit officers and managers can do this."))

    def _policy(self):
        self.ensure_one()
        return self.env["credit.policy"]._for_company(self.company_id)

    def _latest_statement(self):
        self.ensure_one()
        return self.statement_ids.sorted(lambda s: (s.date, s.id), reverse=True)[:1]

    def _flags(self):
        """Override flags raised by the officer's red flags on the file."""
        self.ensure_one()
        names = (
            core_scoring.FLAG_COMPETITOR_PRODUCTS,
            core_scoring.FLAG_LARGE_DEBTS_ELSEWHERE,
            core_scoring.FLAG_BANKRUPT,
            "risky_side_business",
            "bad_records",
            "policy_violation",
        )
        field_of = {
            core_scoring.FLAG_COMPETITOR_PRODUCTS: "competitor_products",
            core_scoring.FLAG_LARGE_DEBTS_ELSEWHERE: "large_debts_elsewhere",
            core_scoring.FLAG_BANKRUPT: "bankrupt",
        }
        return {name for name in names if self[field_of.get(name, name)]}

    def _five_c_values(self):
        self.ensure_one()
        return {
            name: (Decimal(self[name]) if self[name] else None)
            for name in ("character", "capacity", "capital", "collateral", "conditions")
        }

    def _industry_dso(self):
        self.ensure_one()
        industry = self.partner_id.industry_id
        if industry and industry.credit_average_dso:
            return industry.credit_average_dso
        return self._policy().default_industry_dso

    # ------------------------------------------------------------------
    # ledger aggregates
    # ------------------------------------------------------------------
    def _payment_behaviour(self, as_of=None):
        """Payment behaviour of each file's customer from the receivable ledger, in one SQL
        aggregate for all files (grouped by company and commercial partner).

        For the items that fell due in the policy's window before ``as_of`` (an item due on
        ``as_of`` itself can still be paid on time that day, so it does not count yet):
        - on-time payment rate (回款率) = amount reconciled on or before the due date /
          amount due;
        - weighted average days late = sum(reconciled amount x days after due date, early
          counts 0) / reconciled amount;
        and for the items open today: overdue count, overdue amount and the age in days of
        the oldest overdue item; plus the first ledger date (history) and the average days
        to pay (payment date - invoice date, weighted) of the payments of the last
        ``TREND_DAYS`` and of the ``TREND_DAYS`` before. Amounts are in company currency.
        Returns {file id: dict}.
        """
        as_of = as_of or fields.Date.context_today(self)
        result = {}
        if not self:
            return result
        engine = self.env["credit.aging.engine"]
        engine._flush_open_items("balance")
        by_company = {}
        for file in self:
            by_company.setdefault(file.company_id, self.browse())
            by_company[file.company_id] |= file
        for company, files in by_company.items():
            window = max(files.mapped(lambda f: f._policy().payment_window_days))
            start = as_of - timedelta(days=window)
            open_items = engine._open_items_sql(None, [company.id])
            rows = self.env.execute_query_dict(
                SQL(
                    """
                WITH lines AS (
                    SELECT p.commercial_partner_id AS partner_id, aml.id, aml.balance,
                           aml.date, %(due)s AS due
                      FROM account_move_line aml
                      JOIN res_partner p ON p.id = aml.partner_id
                     WHERE %(receivable)s
                       AND p.commercial_partner_id = ANY(%(partners)s)
                ),
                due AS (
                    SELECT partner_id, SUM(balance) AS amount_due
                      FROM lines
                     WHERE balance > 0 AND due > %(start)s AND due < %(as_of)s
                  GROUP BY partner_id
                ),
                paid AS (
                    SELECT l.partner_id,
                           SUM(apr.amount) FILTER (WHERE apr.max_date <= l.due) AS paid_on_time,
                           SUM(apr.amount) AS paid,
                           SUM(apr.amount * GREATEST(apr.max_date - l.due, 0)) AS paid_x_late
                      FROM lines l
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                     WHERE l.balance > 0 AND l.due > %(start)s AND l.due < %(as_of)s
                       AND apr.max_date <= %(as_of)s
                  GROUP BY l.partner_id
                ),
                trend AS (
                    SELECT l.partner_id,
                           SUM(apr.amount * (apr.max_date - l.date))
                               FILTER (WHERE apr.max_date > %(recent)s) AS recent_x_days,
                           SUM(apr.amount) FILTER (WHERE apr.max_date > %(recent)s) AS recent,
                           SUM(apr.amount * (apr.max_date - l.date))
                               FILTER (WHERE apr.max_date <= %(recent)s) AS prior_x_days,
                           SUM(apr.amount) FILTER (WHERE apr.max_date <= %(recent)s) AS prior
                      FROM lines l
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                     WHERE l.balance > 0 AND apr.max_date > %(prior)s
                       AND apr.max_date <= %(as_of)s
                  GROUP BY l.partner_id
                ),
                overdue AS (
                    SELECT p.commercial_partner_id AS partner_id, COUNT(*) AS overdue_count,
                           SUM(items.residual) AS overdue_amount,
                           MAX(%(as_of)s - items.due_date) AS longest_overdue_days
                      FROM (%(open_items)s) items
                      JOIN res_partner p ON p.id = items.partner_id
                     WHERE p.commercial_partner_id = ANY(%(partners)s)
                       AND items.residual > 0 AND items.due_date < %(as_of)s
                  GROUP BY p.commercial_partner_id
                ),
                history AS (
                    SELECT partner_id, MIN(date) AS first_date FROM lines GROUP BY partner_id
                )
                SELECT partner.id AS partner_id,
                       COALESCE(due.amount_due, 0) AS amount_due,
                       COALESCE(paid.paid_on_time, 0) AS paid_on_time,
                       COALESCE(paid.paid, 0) AS paid,
                       COALESCE(paid.paid_x_late, 0) AS paid_x_late,
                       trend.recent_x_days, trend.recent, trend.prior_x_days, trend.prior,
                       COALESCE(overdue.overdue_count, 0) AS overdue_count,
                       COALESCE(overdue.overdue_amount, 0) AS overdue_amount,
                       COALESCE(overdue.longest_overdue_days, 0) AS longest_overdue_days,
                       history.first_date
                  FROM unnest(%(partners)s) AS partner(id)
             LEFT JOIN due ON due.partner_id = partner.id
             LEFT JOIN paid ON paid.partner_id = partner.id
             LEFT JOIN trend ON trend.partner_id = partner.id
             LEFT JOIN overdue ON overdue.partner_id = partner.id
             LEFT JOIN history ON history.partner_id = partner.id
                    """,
                    due=engine._due_date_sql(),
                    receivable=engine._receivable_items_condition([company.id]),
                    open_items=open_items,
                    partners=files.partner_id.ids,
                    start=start,
                    as_of=as_of,
                    recent=as_of - timedelta(days=TREND_DAYS),
                    prior=as_of - timedelta(days=2 * TREND_DAYS),
                )
            )
            by_partner = {row["partner_id"]: row for row in rows}
            for file in files:
                result[file.id] = self._behaviour_from_row(by_partner[file.partner_id.id], as_of)
        return result

    @api.model
    def _behaviour_from_row(self, row, as_of):
        def money(value):
            return Decimal(str(value or 0))

        def weighted_days(weighted, amount):
            return money(weighted) / money(amount) if amount else None

        paid = money(row["paid"])
        first_date = row["first_date"]
        history_months = None
        if first_date:
            delta = relativedelta(as_of, first_date)
            history_months = delta.years * 12 + delta.months
        return {
            "amount_due": money(row["amount_due"]),
            "paid_on_time": money(row["paid_on_time"]),
            "payment_rate": core_scoring.on_time_payment_rate(
                money(row["paid_on_time"]), money(row["amount_due"])
            ),
            "avg_days_late": money(row["paid_x_late"]) / paid if paid else None,
            "overdue_count": Decimal(row["overdue_count"]),
            "overdue_amount": money(row["overdue_amount"]),
            "longest_overdue_days": Decimal(row["longest_overdue_days"]),
            "first_date": first_date,
            "history_months": history_months,
            "recent_days_to_pay": weighted_days(row["recent_x_days"], row["recent"]),
            "prior_days_to_pay": weighted_days(row["prior_x_days"], row["prior"]),
        }

    def _exposure(self):
        """Each file's exposure by category (``credit.exposure._exposure_by_partner``):
        {file id: dict}."""
        by_pair = self.env["credit.exposure"]._exposure_by_partner(
            {(f.company_id.id, f.partner_id.id) for f in self}
        )
        return {f.id: by_pair[(f.company_id.id, f.partner_id.id)] for f in self}

    # --- securities (债权保障): guarantees, collateral, credit insurance, letters of credit ---
    security_ids = fields.One2many("credit.security", "file_id", string="Securities")
    exposure_total = fields.Monetary(
        string="Exposure",
        compute="_compute_secured_exposure",
        currency_field="currency_id",
        help="The customer's exposure as the credit policy counts it (open receivables, draft "
        "invoices, orders not invoiced yet).",
    )
    exposure_secured = fields.Monetary(
        string="Secured Exposure",
        compute="_compute_secured_exposure",
        currency_field="currency_id",
        help="The part of the exposure covered by active securities valid today: the smaller "
        "of the exposure and the sum of their covered amounts (amount x coverage % - "
        "deductible), at today's exchange rate.",
    )
    exposure_unsecured = fields.Monetary(
        string="Unsecured Exposure",
        compute="_compute_secured_exposure",
        currency_field="currency_id",
        help="Exposure - secured exposure. The credit policy says whether the limit is judged "
        "on it or on the whole exposure.",
    )

    overdue_amount = fields.Monetary(
        string="Overdue",
        compute="_compute_secured_exposure",
        search="_search_overdue_amount",
        currency_field="currency_id",
        help="What the customer owes past its due date.",
    )
    oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (days)",
        compute="_compute_secured_exposure",
        help="Days since the due date of the oldest item the customer still owes.",
    )
    available_credit = fields.Monetary(
        compute="_compute_secured_exposure",
        currency_field="currency_id",
        help="Credit limit in force minus the exposure the limit is judged on (the unsecured "
        "part when the credit policy sets the limit on unsecured exposure).",
    )
    over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_secured_exposure",
        search="_search_over_limit",
        help="The exposure the credit limit is judged on is above the limit in force.",
    )

    @api.depends_context("date")
    def _compute_secured_exposure(self):
        """One exposure query for all the files displayed (``credit.exposure``)."""
        files = self.filtered("id")
        exposures = files.sudo()._exposure() if files else {}
        Exposure = self.env["credit.exposure"]
        Policy = self.env["credit.policy"].sudo()
        policies = {}
        for file in self:
            if file.id not in exposures:
                file.exposure_total = file.exposure_secured = file.exposure_unsecured = 0.0
                file.overdue_amount = file.available_credit = 0.0
                file.oldest_overdue_days = 0
                file.over_limit = False
                continue
            if file.company_id not in policies:
                policies[file.company_id] = Policy._for_company(file.company_id)
            policy = policies[file.company_id]
            exposure = exposures[file.id]
            split = Exposure._secured_split(policy, exposure)
            file.exposure_total = float(split.exposure)
            file.exposure_secured = float(split.secured)
            file.exposure_unsecured = float(split.unsecured)
            file.overdue_amount = exposure["overdue_amount"]
            file.oldest_overdue_days = exposure["oldest_overdue_days"]
            file.available_credit = file.effective_limit - float(
                Exposure._limit_exposure(policy, exposure)
            )
            file.over_limit = (
                not file.unlimited
                and file.currency_id.compare_amounts(file.available_credit, 0.0) < 0
            )

    def _search_overdue_amount(self, operator, value):
        """Through the customer's search (``res.partner._credit_search_amount``), in the
        current company."""
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._search([("credit_overdue_amount", operator, value)])
        )
        return [("partner_id", "in", partners), ("company_id", "=", self.env.company.id)]

    def _search_over_limit(self, operator, value):
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._search([("credit_over_limit", operator, value)])
        )
        return [("partner_id", "in", partners), ("company_id", "=", self.env.company.id)]

    def _open_receivables(self):
        """Open posted receivables of each file's customer in company currency:
        {file id: amount}. Negative open items (credit notes, payments not yet matched)
        count, so a customer who paid in advance has more credit available."""
        return {file_id: values["receivables"] for file_id, values in self._exposure().items()}

    @api.model
    def _receivable_account_ids(self):
        """The receivable accounts customers' receivables are read from (the aging
        engine's)."""
        return self.env["credit.aging.engine"]._receivable_account_ids()

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_new_review(self):
        """Open a new credit review of this file, computed from today's data."""
        self.ensure_one()
        self._check_officer()
        review = self.env["credit.review"].create({"file_id": self.id})
        review.action_compute()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.review",
            "res_id": review.id,
            "view_mode": "form",
            "target": "current",
        }

    def _apply_review(self, review):
        """Make an approved review the file's current rating, limit and term."""
        self.ensure_one()
        self.sudo().write(
            {
                "grade_id": review.final_grade_id.id,
                "score": review.score,
                "credit_limit": review.final_limit,
                "credit_days": review.final_days,
                "rating_date": review.date,
                "valid_until": review.valid_until,
            }
        )
        self._sync_partner_credit_limit()
        self._grant_payment_term(self._policy()._granted_terms(review.final_days))

    def _grant_payment_term(self, terms):
        """Make the granted credit term the customer's payment term in the file's company
        (Odoo's ``property_payment_term_id`` is per company), so its quotations propose
        what the officer granted: an existing payment term with exactly these days and the
        policy's cash discount, else one created once and reused."""
        self.ensure_one()
        term = self.env["account.payment.term"]._credit_term_for(self.company_id, terms)
        partner = self.partner_id.with_company(self.company_id).sudo()
        if partner.property_payment_term_id != term:
            partner.property_payment_term_id = term

    def _sync_partner_credit_limit(self):
        """Keep Odoo's own per-company ``credit_limit`` equal to the limit in force, so
        Odoo's credit warning and any module reading it agree with the credit file."""
        for file in self:
            partner = file.partner_id.with_company(file.company_id).sudo()
            partner.with_context(credit_management_sync=True).write(
                {"credit_limit": file.effective_limit, "use_partner_credit_limit": True}
            )

    # ------------------------------------------------------------------
    # scheduled jobs
    # ------------------------------------------------------------------
    @api.model
    def _build_demo_histories(self):
        """Called at the end of demo/credit_demo.xml. The builder lives with the demo data
        and is imported only by the databases that load it."""
        from ..demo.credit_demo_builder import DemoBuilder  # noqa: PLC0415 (demo only)

        DemoBuilder(self.env).build()

    @api.model
    def _cron_propose_reviews(self):
        """Propose a review for every customer whose rating is older than the policy's
        re-rating period, has expired, or who was never rated but has history; tell the
        officer with an activity. Customers with a review already waiting are skipped."""
        if not self.env["ir.cron"]._credit_claim_job("propose_reviews"):
            return
        today = fields.Date.context_today(self)
        files = self.search([])
        pending = (
            self.env["credit.review"]
            .search([("file_id", "in", files.ids), ("state", "in", ("draft", "to_approve"))])
            .file_id
        )
        unrated = (files - pending).filtered(lambda file: not file.grade_id)
        behaviour = unrated._payment_behaviour(today)
        for file in files - pending:
            if not file.grade_id and behaviour[file.id]["first_date"] is None:
                continue
            policy = file._policy()
            due_date = file.rating_date and file.rating_date + relativedelta(
                months=policy.review_months
            )
            expired = file.valid_until and file.valid_until < today
            if file.grade_id and not expired and due_date and due_date > today:
                continue
            try:
                with self.env.cr.savepoint():
                    review = self.env["credit.review"].create({"file_id": file.id})
                    review.action_compute()
            except UserError as error:
                # one file's bad data (a missing exchange rate, ...) must not stop the others
                file.message_post(
                    body=_("The periodic re-rating failed: %(error)s", error=error.args[0])
                )
                continue
            review._notify_officer(
                _("Periodic re-rating of %(customer)s", customer=file.partner_id.display_name)
            )

    @api.model
    def _cron_expire_temporary_limits(self):
        """Temporary limits end on their date: clear them and bring Odoo's credit limit back
        to the rated limit."""
        if not self.env["ir.cron"]._credit_claim_job("expire_temporary_limits"):
            return
        today = fields.Date.context_today(self)
        files = self.search(
            [("temporary_limit_until", "!=", False), ("temporary_limit_until", "<", today)]
        )
        for file in files:
            file.message_post(
                body=_(
                    "The temporary limit of %(amount)s ended on %(date)s.",
                    amount=file.currency_id.format(file.temporary_limit),
                    date=file.temporary_limit_until,
                )
            )
        with audit_writer(self.env):
            files.sudo().write({"temporary_limit": 0.0, "temporary_limit_until": False})
        files._sync_partner_credit_limit()

    @api.model
    def _cron_detect_warning_signs(self):
        if not self.env["ir.cron"]._credit_claim_job("detect_warning_signs"):
            return
        self.search([])._detect_warning_signs()

    def _detect_warning_signs(self):
        """Raise the warning signs (危险信号) that can be read from data; each new one is
        logged on the file and gives the officer an activity. See ``_warning_sign_checks``."""
        behaviour = self._payment_behaviour()
        # the company-wide facts the checks read with the customer's behaviour: its share of
        # the company's credit exposure (one concentration per company, not per customer)
        Budget = self.env["credit.budget"].sudo()
        for company in self.company_id:
            concentration = Budget._concentration(company)
            shares = {p["partner_id"]: p for p in concentration["positions"]}
            for file in self.filtered(lambda f, company=company: f.company_id == company):
                position = shares.get(file.partner_id.id)
                behaviour[file.id]["exposure_share"] = position and {
                    "share": position["exposure_share"],
                    "exposure": position["exposure"],
                    "total": concentration["exposure"].total,
                }
        for file in self:
            for kind, details in file._warning_sign_checks(behaviour[file.id]):
                self.env["credit.warning"]._raise(file, kind, details)

    def _warning_sign_checks(self, behaviour):
        """The warning signs found for this file, as (kind, details) pairs. An extension
        point: another module adds a sign by extending this list."""
        self.ensure_one()
        policy = self._policy()
        signs = []
        recent, prior = behaviour["recent_days_to_pay"], behaviour["prior_days_to_pay"]
        if core_scoring.is_paying_slower(prior, recent, policy.slowdown_days):
            signs.append(
                (
                    "slower_payments",
                    _(
                        "Average days to pay went from %(prior)s to %(recent)s days.",
                        prior=round(prior, 1),
                        recent=round(recent, 1),
                    ),
                )
            )
        since = fields.Datetime.now() - timedelta(days=TREND_DAYS)
        bank_changes = (
            self.env["res.partner.bank"]
            .sudo()
            .search_count(
                [("partner_id", "child_of", self.partner_id.id), ("create_date", ">=", since)]
            )
        )
        if policy.bank_change_count and bank_changes >= policy.bank_change_count:
            signs.append(
                (
                    "bank_changes",
                    _(
                        "%(count)s bank accounts added in the last %(days)s days.",
                        count=bank_changes,
                        days=TREND_DAYS,
                    ),
                )
            )
        limit = self.effective_limit
        if self.grade_id and self.sales_mode == "credit" and limit:
            orders = (
                self.env["sale.order"]
                .sudo()
                .search(
                    [
                        ("partner_id", "child_of", self.partner_id.id),
                        ("company_id", "=", self.company_id.id),
                        ("state", "in", ("draft", "sent", "sale")),
                        ("create_date", ">=", since),
                    ]
                )
            )
            largest = max(
                [
                    order.currency_id._convert(
                        order.amount_total, self.currency_id, self.company_id, order.date_order
                    )
                    for order in orders
                ]
                or [0.0]
            )
            if largest > limit:
                signs.append(
                    (
                        "order_jump",
                        _(
                            "An order of %(amount)s exceeds the whole credit limit of %(limit)s.",
                            amount=largest,
                            limit=limit,
                        ),
                    )
                )
        if self.bankrupt:
            signs.append(("bankruptcy", _("The customer is bankrupt or in liquidation.")))
        position = behaviour.get("exposure_share")
        if position and core_concentration.above_threshold(
            position["share"], policy.concentration_warning_percent
        ):
            signs.append(
                (
                    "concentration",
                    _(
                        "The customer holds %(share)s %% of the company's credit exposure "
                        "(%(exposure)s of %(total)s), above the threshold of %(threshold)s %%.",
                        share=round(float(core_concentration.share_percent(position["share"])), 1),
                        exposure=self.currency_id.format(position["exposure"]),
                        total=self.currency_id.format(float(position["total"])),
                        threshold=policy.concentration_warning_percent,
                    ),
                )
            )
        return signs
