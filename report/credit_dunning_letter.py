from odoo import api, models


class ReportDunningLetter(models.AbstractModel):
    """Values of the dunning letter: the communications and their company's bank accounts
    (the payment details the customer needs)."""

    _name = "report.credit_management.report_dunning_letter"
    _description = "Dunning Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["credit.dunning.communication"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "credit.dunning.communication",
            "docs": docs,
            "banks": {doc.id: doc.company_id.partner_id.bank_ids for doc in docs},
        }
