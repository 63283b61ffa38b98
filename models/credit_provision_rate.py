from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..credit_management import provisions as core_provisions


class CreditProvisionRate(models.Model):
    """One age bucket of the bad-debt provision (坏账准备金) of a company: items overdue
    at least ``overdue_from`` days (0 = not yet due) and fewer than the next row's start
    are provisioned at ``rate`` %. A company without rows uses the default table."""

    _name = "credit.provision.rate"
    _description = "Bad-Debt Provision Rate"
    _order = "company_id, overdue_from"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    overdue_from = fields.Integer(
        string="From Days Overdue",
        required=True,
        help="First day past the due date this rate applies to; 0 for items not yet due. The "
        "bucket runs until the next row's start.",
    )
    rate = fields.Float(
        string="Rate (%)",
        digits=(5, 2),
        required=True,
        help="Share of the open amount provisioned.",
    )
    name = fields.Char(string="Bucket", compute="_compute_name")

    @api.depends("overdue_from", "company_id")
    def _compute_name(self):
        for row in self:
            starts = sorted(
                self.search([("company_id", "=", row.company_id.id)]).mapped("overdue_from")
            )
            later = [start for start in starts if start > row.overdue_from]
            if row.overdue_from == 0:
                row.name = self.env._("Not due")
            elif later:
                row.name = self.env._(
                    "%(start)s-%(end)s days", start=row.overdue_from, end=later[0] - 1
                )
            else:
                row.name = self.env._("Over %(days)s days", days=row.overdue_from - 1)

    _sql_constraints = [
        (
            "company_start_unique",
            "unique(company_id, overdue_from)",
            "Two provision rates of a company cannot start on the same day.",
        ),
    ]

    @api.constrains("overdue_from", "rate")
    def _check_rate(self):
        # each row is checked as a table of its own (core ``validate_rates``): the company's
        # "not due" row is added when missing (``_rates_for``) and two rows starting on the
        # same day are refused by the SQL constraint
        for row in self:
            problems = core_provisions.validate_rates([(row.overdue_from, row.rate)])
            if "negative_start" in problems:
                raise ValidationError(self.env._("A bucket cannot start before day 0."))
            if "rate_out_of_range" in problems:
                raise ValidationError(self.env._("A provision rate is between 0 and 100 %."))

    @api.model
    def _rates_for(self, company):
        """The company's rate table as (first day overdue, rate %) pairs, the default table
        when it has none; a table without a "not due" row gets one at 0 %."""
        rows = self.sudo().search([("company_id", "=", company.id)])
        if not rows:
            return list(core_provisions.DEFAULT_RATES)
        rates = [(row.overdue_from, row.rate) for row in rows]
        if 0 not in [start for start, _rate in rates]:
            rates.insert(0, (0, 0.0))
        return rates
