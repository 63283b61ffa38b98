from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..credit_management import dashboard as core_dashboard
from ..models.credit_kpi import DEFAULT_PERIOD_DAYS, KPI_HELP

KPI_UNITS = {"cei": "%", "overdue_ratio": "%", "bad_debt_ratio": "%"}
AMOUNTS = ("credit_sales", "opening_ar", "closing_ar", "current_ar", "overdue_ar", "written_off")
COMPARED = {
    # KPI: the way it moves when the news is good (the arrow's colour)
    "credit_sales": "up",
    "closing_ar": "down",
    "overdue_ar": "down",
    "written_off": "down",
    "dso": "down",
    "countback_dso": "down",
    "add": "down",
    "cei": "up",
    "overdue_ratio": "down",
    "bad_debt_ratio": "down",
    "days_to_pay": "down",
    "days_late": "down",
}


def _kpi_field(string, name):
    return fields.Char(string=string, compute="_compute_kpis", help=KPI_HELP[name])


def _amount_field(string, help_text):
    return fields.Monetary(
        string=string, compute="_compute_kpis", currency_field="currency_id", help=help_text
    )


class CreditKpiDashboard(models.TransientModel):
    """The receivable KPIs of a company over a period, for credit managers and accountants;
    computed on read from the ledger (``credit.kpi``), never stored."""

    _name = "credit.kpi.dashboard"
    _description = "Receivable KPI Dashboard"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: (
            fields.Date.context_today(self) - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        ),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    credit_sales = _amount_field(
        "Credit Sales", "Customer invoices minus credit notes of the period."
    )
    opening_ar = _amount_field("Opening Receivables", "Open receivables the day before the period.")
    closing_ar = _amount_field("Closing Receivables", "Open receivables at the end of the period.")
    current_ar = _amount_field("Not Yet Due", "Closing receivables whose due date has not passed.")
    overdue_ar = _amount_field("Overdue", "Closing receivables past their due date.")
    written_off = _amount_field("Written Off", "Bad debts written off in the period.")

    dso = _kpi_field("DSO (days)", "dso")
    countback_dso = _kpi_field("Countback DSO (days)", "countback_dso")
    best_dso = _kpi_field("Best Possible DSO (days)", "best_dso")
    add = _kpi_field("Average Days Delinquent", "add")
    cei = _kpi_field("Collection Effectiveness Index", "cei")
    overdue_ratio = _kpi_field("Overdue Ratio", "overdue_ratio")
    bad_debt_ratio = _kpi_field("Bad-Debt Ratio", "bad_debt_ratio")
    days_to_pay = _kpi_field("Average Days to Pay", "days_to_pay")
    days_late = _kpi_field("Average Days Late", "days_late")
    dio = _kpi_field("Inventory Days", "dio")
    dpo = _kpi_field("Payable Days", "dpo")
    ccc = _kpi_field("Cash Conversion Cycle (days)", "ccc")

    holds_by_rule = fields.Html(
        string="Holds Waiting by Rule",
        compute="_compute_holds_by_rule",
        sanitize=False,
        help="Orders waiting for a credit officer's decision, by the rule they failed (an "
        "order failing two rules counts under both), with the amounts held. The rules' "
        "names come from the rule registry.",
    )

    @api.depends("company_id")
    def _compute_holds_by_rule(self):
        for dashboard in self:
            dashboard.holds_by_rule = dashboard._holds_by_rule_table()

    def _holds_by_rule(self):
        """[(rule code, holds, amount held)] of the company's holds waiting, in the order
        the registry reports rules (rules it does not know last)."""
        if not self.company_id:
            return []
        self.env["credit.hold"].flush_model(["state", "company_id", "failures", "order_amount"])
        self.env.cr.execute(
            SQL(
                """
                SELECT failure->>'rule', COUNT(DISTINCT hold.id), SUM(hold.order_amount)
                  FROM credit_hold hold,
                       jsonb_array_elements(COALESCE(hold.failures, '[]'::jsonb)) failure
                 WHERE hold.state = 'pending' AND hold.company_id = %s
                 GROUP BY 1
                """,
                self.company_id.id,
            )
        )
        rows = {code: (count, amount or 0.0) for code, count, amount in self.env.cr.fetchall()}
        order = list(self.env["credit.exposure"]._rule_labels())
        return sorted(
            ((code, *values) for code, values in rows.items()),
            key=lambda row: (order.index(row[0]) if row[0] in order else len(order), row[0]),
        )

    def _holds_by_rule_table(self):
        rows = self._holds_by_rule()
        if not rows:
            return Markup("<p class='text-muted'>%s</p>") % self.env._(
                "No order is waiting for a credit decision."
            )
        labels = self.env["credit.exposure"]._rule_labels()
        body = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td></tr>")
            % (labels.get(code, code), count, self.currency_id.format(amount))
            for code, count, amount in rows
        )
        return Markup(
            "<table class='table table-sm o_credit_holds_by_rule'><thead><tr><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
            "<tbody>%s</tbody></table>"
        ) % (self.env._("Rule"), self.env._("Holds Waiting"), self.env._("Amount Held"), body)

    # concentration and credit budget today (credit.budget._concentration)
    exposure_largest_share = fields.Float(
        string="Largest Customer (% of exposure)",
        digits=(16, 1),
        compute="_compute_concentration",
        help="Share of the customer with the largest credit exposure in the company's total "
        "credit exposure today.",
    )
    exposure_top_share = fields.Float(
        string="Top 10 Customers (% of exposure)",
        digits=(16, 1),
        compute="_compute_concentration",
        help="Share of the ten largest customers in the company's total credit exposure today.",
    )
    exposure_hhi = fields.Float(
        string="Herfindahl Index of Exposure",
        digits=(16, 4),
        compute="_compute_concentration",
        help="Sum of the squared shares of the customers in the total credit exposure, from "
        "0 (spread over many customers) to 1 (one customer holds everything).",
    )
    limit_largest_share = fields.Float(
        string="Largest Customer (% of limits)",
        digits=(16, 1),
        compute="_compute_concentration",
        help="Share of the largest credit limit in force in the total of the limits in force.",
    )
    limit_top_share = fields.Float(
        string="Top 10 Customers (% of limits)",
        digits=(16, 1),
        compute="_compute_concentration",
        help="Share of the ten largest limits in force in the total of the limits in force.",
    )
    limit_hhi = fields.Float(
        string="Herfindahl Index of Limits",
        digits=(16, 4),
        compute="_compute_concentration",
        help="Sum of the squared shares of the customers in the total of the limits in force.",
    )
    credit_budget = fields.Monetary(
        compute="_compute_concentration",
        currency_field="currency_id",
        help="The company-wide credit budget.",
    )
    credit_budget_in_force = fields.Monetary(
        string="Limits in Force",
        compute="_compute_concentration",
        currency_field="currency_id",
        help="The sum of the credit limits in force today.",
    )
    credit_budget_used = fields.Float(
        string="Credit Budget Used (%)",
        digits=(16, 1),
        compute="_compute_concentration",
        help="Limits in force as a percentage of the company-wide credit budget.",
    )

    @api.depends("company_id")
    @api.depends_context("date")
    def _compute_concentration(self):
        Budget = self.env["credit.budget"].sudo()
        for dashboard in self:
            values = Budget._concentration(dashboard.company_id) if dashboard.company_id else None
            exposure, limits = values and values["exposure"], values and values["limits"]
            dashboard.exposure_largest_share = exposure and float(exposure.largest_share) * 100
            dashboard.exposure_top_share = exposure and float(exposure.top_share) * 100
            dashboard.exposure_hhi = exposure and float(exposure.hhi)
            dashboard.limit_largest_share = limits and float(limits.largest_share) * 100
            dashboard.limit_top_share = limits and float(limits.top_share) * 100
            dashboard.limit_hhi = limits and float(limits.hhi)
            budget = values and values["budgets"].filtered(lambda b: not b.team_id)[:1]
            dashboard.credit_budget = budget.amount if budget else 0.0
            dashboard.credit_budget_in_force = budget.limits_in_force if budget else 0.0
            dashboard.credit_budget_used = budget.used_percent if budget else 0.0

    @api.depends("date_from", "date_to", "company_id")
    def _compute_kpis(self):
        for dashboard in self:
            values = dashboard._values()
            for name in AMOUNTS:
                dashboard[name] = float(values.get(name) or 0)
            for name in KPI_HELP:
                dashboard[name] = dashboard._format(values.get(name), KPI_UNITS.get(name))

    def _values(self, date_from=None, date_to=None):
        date_from, date_to = date_from or self.date_from, date_to or self.date_to
        if not (date_from and date_to and self.company_id):
            return {}
        if date_from > date_to:
            return {}
        # the dashboard is for credit officers and accountants (access rights): every customer
        # of the company counts, whatever the aging engine lets salespeople see
        kpis = self.env["credit.kpi"].sudo()._kpis(self.company_id.ids, date_from, date_to)
        return kpis[(self.company_id.id, None)]

    # period comparison: this period against the previous one of the same length
    previous_date_from = fields.Date(
        string="Previous Period From",
        compute="_compute_previous_period",
        help="The period of the same length just before this one, compared with it.",
    )
    previous_date_to = fields.Date(string="Previous Period To", compute="_compute_previous_period")
    period_comparison = fields.Html(
        compute="_compute_period_comparison",
        sanitize=False,
        help="Each KPI of this period next to the previous period's, with the change (green "
        "when it moves the good way).",
    )

    @api.depends("date_from", "date_to")
    def _compute_previous_period(self):
        for dashboard in self:
            if (
                dashboard.date_from
                and dashboard.date_to
                and dashboard.date_from <= dashboard.date_to
            ):
                dashboard.previous_date_from, dashboard.previous_date_to = (
                    core_dashboard.previous_period(dashboard.date_from, dashboard.date_to)
                )
            else:
                dashboard.previous_date_from = dashboard.previous_date_to = False

    @api.depends("date_from", "date_to", "company_id")
    def _compute_period_comparison(self):
        for dashboard in self:
            dashboard.period_comparison = dashboard._period_comparison_table()

    def _period_comparison(self):
        """[(KPI name, this period, previous period, core ``Change``)] for the KPIs of
        ``COMPARED``: amounts and days as Decimals, None when not computable."""
        self.ensure_one()
        if not self.previous_date_from:
            return []
        current = self._values()
        previous = self._values(self.previous_date_from, self.previous_date_to)
        return [
            (
                name,
                current.get(name),
                previous.get(name),
                core_dashboard.change(current.get(name), previous.get(name)),
            )
            for name in COMPARED
        ]

    def _period_comparison_table(self):
        rows = self._period_comparison()
        if not rows:
            return False

        def text(name, value):
            if value is None:
                return self.env._("n/a")
            if name in AMOUNTS:
                return self.currency_id.format(float(value))
            return self._format(value, KPI_UNITS.get(name))

        def change_cell(name, change):
            if change.direction is None:
                return Markup("<td class='text-end'></td>")
            arrow = {"up": "▲", "down": "▼", "flat": "="}[change.direction]
            css = (
                "text-muted"
                if change.direction == "flat"
                else "text-success"
                if change.direction == COMPARED[name]
                else "text-danger"
            )
            label = arrow if change.percent is None else f"{arrow} {abs(change.percent):,.1f} %"
            return Markup("<td class='text-end %s'>%s</td>") % (css, label)

        body = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td>%s</tr>")
            % (
                self._fields[name]._description_string(self.env),
                text(name, current),
                text(name, previous),
                change_cell(name, change),
            )
            for name, current, previous, change in rows
        )
        return Markup(
            "<table class='table table-sm o_credit_period_comparison'><thead><tr><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
        ) % (
            self.env._("KPI"),
            self.env._("This Period"),
            self.env._("Previous Period"),
            self.env._("Change"),
            body,
        )

    def _format(self, value, unit):
        if value is None:
            return self.env._("n/a")
        text = f"{float(value):,.1f}"
        return f"{text} {unit}" if unit else text

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for dashboard in self:
            if dashboard.date_from > dashboard.date_to:
                raise ValidationError(self.env._("The period ends before it starts."))

    def action_refresh(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_print_concentration(self):
        """The credit concentration report (PDF) of the dashboard's company."""
        self.ensure_one()
        return self.env.ref("credit_management.action_report_credit_concentration").report_action(
            self.company_id
        )
