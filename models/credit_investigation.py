from odoo import fields, models


class CreditInvestigation(models.Model):
    """One credit investigation (资信调查) of a customer: where the information came from,
    when, what it said, and the reports received."""

    _name = "credit.investigation"
    _description = "Credit Investigation"
    _order = "date desc, id desc"

    file_id = fields.Many2one("credit.file", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="file_id.company_id", store=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    source = fields.Selection(
        [
            ("bank", "Bank"),
            ("agency", "Credit agency"),
            ("association", "Trade association"),
            ("public", "Public records / news"),
            ("direct", "Direct contact / visit"),
            ("history", "Own history"),
        ],
        required=True,
        default="direct",
    )
    investigator_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    summary = fields.Text(required=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Reports")
