from odoo import api, models
from odoo.exceptions import AccessError

from ..credit_management import concentration as core_concentration


class ReportCreditConcentration(models.AbstractModel):
    """Values of the credit concentration report: per company, today, the concentration of
    credit exposure and of limits in force (largest customer, top 10, Herfindahl index), the
    ten largest customers with their figures, and the use of the credit budgets; all from
    ``credit.budget._concentration`` (the figures the dashboard shows)."""

    _name = "report.credit_management.report_credit_concentration"
    _description = "Credit Concentration Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        if not self.env.user.has_group("credit_management.group_credit_manager"):
            raise AccessError(
                self.env._("Only credit managers can print the credit concentration.")
            )
        companies = self.env["res.company"].browse(docids)
        Budget = self.env["credit.budget"].sudo()
        return {
            "doc_ids": docids,
            "doc_model": "res.company",
            "docs": companies,
            "concentration": {company.id: Budget._concentration(company) for company in companies},
            "percent": lambda share: f"{float(core_concentration.share_percent(share)):,.1f} %",
            "index": lambda hhi: f"{float(hhi):.4f}",
        }
