from odoo import api, fields, models
from odoo.tools import SQL

from ..credit_management import aging as core_aging
from ..models.res_company import parse_aging_bounds

BUCKET_COLUMNS = [f"b{index}" for index in range(core_aging.MAX_BUCKETS)]
REPORTING_COLUMNS = [f"r{index}" for index in range(core_aging.MAX_BUCKETS)]


class CreditAgingReport(models.TransientModel):
    """Aged receivables (应收账款账龄分析表) as of a date: the user's choices, and the lines
    per customer computed by ``credit.aging.engine`` and written in one INSERT ... SELECT.
    The screen, the PDF and the XLSX all read these lines: computed once, shown three
    times."""

    _name = "credit.aging.report"
    _description = "Aged Receivables"

    as_of = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="The receivables open at the end of this day, as the books stood on that day: "
        "payments and credit notes entered with a later date are not deducted.",
    )
    basis = fields.Selection(
        [("due", "Due date"), ("invoice", "Invoice date")],
        string="Age by",
        required=True,
        default="due",
        help="Age each open item from its due date (overdue days) or from its invoice date.",
    )
    bounds = fields.Char(
        string="Aging Buckets",
        required=True,
        default=lambda self: self.env.company.credit_aging_bounds,
        help="Upper bounds in days of the buckets after 'Not due', e.g. 30,60,90,180,365.",
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Reporting Currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        help="Totals of all companies are converted into this currency at the rate of the "
        "'As of' date.",
    )
    salesperson_ids = fields.Many2many("res.users", string="Salespeople")
    grade_ids = fields.Many2many(
        "credit.grade", string="Grades", help="The customers' current credit grades."
    )
    partner_ids = fields.Many2many(
        "res.partner", string="Customers", domain=[("parent_id", "=", False)]
    )
    account_ids = fields.Many2many(
        "account.account",
        string="Receivable Accounts",
        domain=[("account_type", "=", "asset_receivable")],
    )
    line_ids = fields.One2many("credit.aging.report.line", "report_id", readonly=True)
    line_count = fields.Integer(compute="_compute_line_count")

    @api.depends("line_ids")
    def _compute_line_count(self):
        for report in self:
            report.line_count = len(report.line_ids)

    @api.constrains("bounds")
    def _check_bounds(self):
        for report in self:
            parse_aging_bounds(self.env, report.bounds)

    # ------------------------------------------------------------------
    # labels
    # ------------------------------------------------------------------
    def _bounds(self):
        self.ensure_one()
        return parse_aging_bounds(self.env, self.bounds)

    def _bucket_labels(self):
        """The bucket titles in the user's language."""
        return bucket_labels(self.env, self._bounds())

    def _basis_label(self):
        return dict(self._fields["basis"]._description_selection(self.env))[self.basis]

    # ------------------------------------------------------------------
    # computation
    # ------------------------------------------------------------------
    def _engine_filters(self):
        self.ensure_one()
        return {
            "partner_ids": self.partner_ids.ids or None,
            "account_ids": self.account_ids.ids or None,
            "salesperson_ids": self.salesperson_ids.ids or None,
            "grade_ids": self.grade_ids.ids or None,
        }

    def _rates(self):
        """{company id: rate} from each company's currency to the reporting currency at the
        'As of' date (Odoo's rate of that day, or the last one before)."""
        self.ensure_one()
        Currency = self.env["res.currency"]
        return {
            company.id: Currency._get_conversion_rate(
                company.currency_id, self.currency_id, company, self.as_of
            )
            for company in self.company_ids
        }

    def _compute_lines(self):
        """Replace the report's lines with the aging of today's choices, in one
        INSERT ... SELECT over the engine's aggregate."""
        self.ensure_one()
        bounds = self._bounds()
        count = core_aging.bucket_count(bounds)
        Line = self.env["credit.aging.report.line"]
        self.env.execute_query(
            SQL("DELETE FROM credit_aging_report_line WHERE report_id = %s", self.id)
        )
        Line.invalidate_model()
        rates = self._rates()
        aging = self.env["credit.aging.engine"]._aging_by_partner_sql(
            self.as_of, self.company_ids.ids, bounds, self.basis, **self._engine_filters()
        )
        company_buckets = [
            SQL("aging.%s", SQL.identifier(column)) if index < count else SQL("0")
            for index, column in enumerate(BUCKET_COLUMNS)
        ]
        reporting_buckets = [
            SQL(
                "ROUND(aging.%s * rate.rate, %s)",
                SQL.identifier(column),
                self.currency_id.decimal_places,
            )
            if index < count
            else SQL("0")
            for index, column in enumerate(BUCKET_COLUMNS)
        ]
        columns = SQL(", ").join(
            SQL.identifier(name)
            for name in [
                "report_id",
                "company_id",
                "partner_id",
                "user_id",
                "grade_id",
                "company_currency_id",
                "currency_id",
                "total_company",
                *BUCKET_COLUMNS,
                "total",
                *REPORTING_COLUMNS,
                "create_uid",
                "write_uid",
                "create_date",
                "write_date",
            ]
        )
        self.env.execute_query(
            SQL(
                """
                INSERT INTO credit_aging_report_line (%(columns)s)
                SELECT %(report)s, aging.company_id, aging.partner_id, cp.user_id,
                       cf.grade_id, company.currency_id, %(currency)s, aging.total,
                       %(company_buckets)s,
                       %(reporting_total)s, %(reporting_buckets)s,
                       %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                  FROM (%(aging)s) aging
                  JOIN res_company company ON company.id = aging.company_id
                  JOIN unnest(%(rate_companies)s::int[], %(rates)s::numeric[])
                       AS rate(company_id, rate) ON rate.company_id = aging.company_id
             LEFT JOIN res_partner cp ON cp.id = aging.partner_id
             LEFT JOIN credit_file cf
                    ON cf.partner_id = aging.partner_id AND cf.company_id = aging.company_id
                """,
                columns=columns,
                report=self.id,
                currency=self.currency_id.id,
                company_buckets=SQL(", ").join(company_buckets),
                reporting_total=SQL(" + ").join(reporting_buckets[:count]),
                reporting_buckets=SQL(", ").join(reporting_buckets),
                uid=self.env.uid,
                aging=aging,
                rate_companies=list(rates),
                rates=[rates[company] for company in rates],
            )
        )
        Line.invalidate_model()
        self.invalidate_recordset(["line_ids", "line_count"])

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------
    @api.model
    def _readable(self, report_id):
        """The report ``report_id`` if the user may read it (record rules: users read only
        their own reports), else an empty recordset. The PDF and XLSX read the lines in
        SQL, past the record rules: they are served only for a report this returns."""
        return self.search([("id", "=", report_id)])

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_show(self):
        """Compute the report and show its lines."""
        self.ensure_one()
        self._compute_lines()
        return self._lines_action()

    def _lines_action(self):
        labels = self._bucket_labels()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Aged Receivables as of %(date)s",
                date=fields.Date.to_string(self.as_of),
            ),
            "res_model": "credit.aging.report.line",
            "view_mode": "list,pivot",
            "views": [(False, "list"), (False, "pivot")],
            "domain": [("report_id", "=", self.id)],
            "context": {"credit_aging_labels": labels},
            "target": "current",
        }

    def action_print_pdf(self):
        self.ensure_one()
        self._compute_lines()
        return self.env.ref("credit_management.action_report_credit_aging").report_action(self)

    def action_export_xlsx(self):
        self.ensure_one()
        self._compute_lines()
        return {
            "type": "ir.actions.act_url",
            "url": f"/credit_management/aging/{self.id}/xlsx",
            "target": "self",
        }


def bucket_labels(env, bounds):
    """Translated bucket titles: "Not due", "1-30 days", …, "Over 365 days" (the core's
    ``bucket_ranges``)."""
    labels = []
    for low, high in core_aging.bucket_ranges(bounds):
        if low is None:
            labels.append(env._("Not due"))
        elif high is None:
            labels.append(env._("Over %s days", low - 1))
        else:
            labels.append(env._("%(low)s-%(high)s days", low=low, high=high))
    return labels
