from odoo import fields, models


class ResPartnerIndustry(models.Model):
    _inherit = "res.partner.industry"

    credit_average_dso = fields.Integer(
        string="Average DSO (days)",
        help="Industry average days sales outstanding, the base of the credit term formula: "
        "customer credit days = industry average DSO x company adjustment coefficient x "
        "grade coefficient.",
    )
