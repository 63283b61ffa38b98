from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..credit_management import ratios as core_ratios

AMOUNT_FIELDS = (
    "total_assets",
    "total_liabilities",
    "current_assets",
    "current_liabilities",
    "inventory",
    "net_worth",
    "revenue",
    "net_profit",
)


class CreditFinancialStatement(models.Model):
    """A customer's balance sheet and income figures for one period, as received from the
    customer, its bank or a credit agency. Amounts are in the statement's own currency and
    converted to the company currency at the statement date when the rating needs them."""

    _name = "credit.financial.statement"
    _description = "Customer Financial Statement"
    _order = "date desc, id desc"

    file_id = fields.Many2one("credit.file", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="file_id.company_id", store=True)
    date = fields.Date(
        string="Statement Date", required=True, help="Date of the balance sheet (period end)."
    )
    period = fields.Selection(
        [("year", "Year"), ("half", "Half year"), ("quarter", "Quarter"), ("month", "Month")],
        default="year",
        required=True,
    )
    source = fields.Selection(
        [
            ("customer", "Customer"),
            ("audited", "Audited accounts"),
            ("bank", "Bank"),
            ("agency", "Credit agency"),
            ("public", "Public records"),
        ],
        default="customer",
        required=True,
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    total_assets = fields.Monetary()
    total_liabilities = fields.Monetary()
    current_assets = fields.Monetary()
    current_liabilities = fields.Monetary()
    inventory = fields.Monetary()
    net_worth = fields.Monetary(help="Equity: total assets minus total liabilities.")
    revenue = fields.Monetary()
    net_profit = fields.Monetary()
    attachment_ids = fields.Many2many("ir.attachment", string="Documents")
    note = fields.Text()

    current_ratio = fields.Float(compute="_compute_ratios", digits=(12, 2))
    quick_ratio = fields.Float(compute="_compute_ratios", digits=(12, 2))
    debt_ratio = fields.Float(compute="_compute_ratios", digits=(12, 4))
    net_margin = fields.Float(compute="_compute_ratios", digits=(12, 4))
    net_working_capital = fields.Monetary(compute="_compute_ratios")

    @api.depends(*AMOUNT_FIELDS)
    def _compute_ratios(self):
        """Ratios from the core; a ratio whose denominator is zero or unknown shows 0 here
        and is left out of the score (it counts as a missing factor)."""
        for statement in self:
            core = statement._to_core()
            values = core_ratios.ratio_values(core)
            for name, value in values.items():
                statement[name] = float(value) if value is not None else 0.0
            working_capital = core_ratios.net_working_capital(core)
            statement.net_working_capital = float(working_capital or 0.0)

    def _to_core(self, currency=None, company=None):
        """The statement as a core FinancialStatement, in ``currency`` when given (converted
        at the statement date; raises when no rate is known on or before that date)."""
        self.ensure_one()
        rate = 1.0
        if currency and currency != self.currency_id:
            company = company or self.company_id or self.env.company
            self._check_rate_exists(currency, company)
            rate = self.currency_id._get_conversion_rate(
                self.currency_id, currency, company, self.date
            )
        return core_ratios.FinancialStatement(**{name: self[name] * rate for name in AMOUNT_FIELDS})

    def _check_rate_exists(self, currency, company):
        for foreign in (self.currency_id, currency):
            if foreign == company.currency_id:
                continue
            has_rate = self.env["res.currency.rate"].search_count(
                [
                    ("currency_id", "=", foreign.id),
                    ("name", "<=", self.date),
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
            if not has_rate:
                raise UserError(
                    _(
                        "No exchange rate of %(currency)s is known on or before %(date)s, so "
                        "the statement of %(customer)s cannot be converted. Enter the rate "
                        "first.",
                        currency=foreign.name,
                        date=self.date,
                        customer=self.file_id.partner_id.display_name,
                    )
                )

    @api.constrains(*AMOUNT_FIELDS)
    def _check_amounts(self):
        labels = {
            name: self._fields[name].get_description(self.env)["string"] for name in AMOUNT_FIELDS
        }
        for statement in self:
            problems = core_ratios.validate_statement(statement._to_core())
            messages = []
            for problem in problems:
                if problem.kind == "negative":
                    messages.append(_("%(field)s cannot be negative.", field=labels[problem.field]))
                else:
                    messages.append(
                        _(
                            "%(part)s cannot be larger than %(whole)s.",
                            part=labels[problem.field],
                            whole=labels[problem.other],
                        )
                    )
            if messages:
                raise ValidationError("\n".join(messages))
