from datetime import timedelta

from odoo import api, fields, models

from .credit_kpi_dashboard import DEFAULT_PERIOD_DAYS, KPI_HELP


class CreditFileKpi(models.Model):
    """The customer's main receivable KPIs on its credit file, over the last 90 days.

    Computed on read with the same SQL aggregates as the dashboard, for all the files
    displayed at once, and not stored: the numbers are always those of the ledger now,
    and a form shows one file at a time, so there is nothing for a daily job to save."""

    _inherit = "credit.file"

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
