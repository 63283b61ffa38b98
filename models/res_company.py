from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..credit_management import aging as core_aging
from ..credit_management import dunning as core_dunning
from ..credit_management import provisions as core_provisions


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_aging_bounds = fields.Char(
        string="Aging Buckets",
        default=core_aging.format_bounds(core_aging.DEFAULT_BOUNDS),
        required=True,
        help="Upper bounds in days of the overdue buckets of the aged receivables, "
        "e.g. 30,60,90,180,365 gives: not due, 1-30, 31-60, 61-90, 91-180, 181-365 and "
        "over 365 days.",
    )
    credit_aging_salespeople_see_all = fields.Boolean(
        string="Salespeople See All Receivables",
        help="When off, salespeople see in the aged receivables only the customers that "
        "they or the members of their sales teams look after.",
    )

    @api.constrains("credit_aging_bounds")
    def _check_credit_aging_bounds(self):
        for company in self:
            company._credit_aging_bounds()

    def _credit_aging_bounds(self):
        """The company's bucket bounds as a tuple of days (ValidationError when invalid)."""
        self.ensure_one()
        return parse_aging_bounds(self.env, self.credit_aging_bounds)

    credit_doubtful_days = fields.Integer(
        string="Days Overdue Before Doubtful",
        default=core_provisions.DEFAULT_DOUBTFUL_DAYS,
        help="An open receivable this many days past its due date is classified as doubtful "
        "(呆坏账) and its case is handed to legal. 0: only by a credit officer's decision. "
        "Items past it are provisioned at the doubtful rate, so the provision rates of the "
        "buckets starting on or after this day are not used: keep it at the start of the last "
        "bucket (default 366 days) unless those rates equal the doubtful rate.",
    )
    credit_plan_days = fields.Integer(
        string="Days to Write the Collection Plan",
        default=7,
        help="When a customer becomes overdue (拖欠款), its salesperson writes the cause and "
        "a collection plan within this many days.",
    )
    credit_supervision_days = fields.Integer(
        string="Supervision Days",
        default=30,
        help="Days an overdue case is supervised by the credit department after it opens.",
    )
    credit_doubtful_rate = fields.Float(
        string="Provision Rate of Doubtful Items (%)",
        default=float(core_provisions.DEFAULT_DOUBTFUL_RATE),
        help="Bad-debt provision rate applied to doubtful receivables, whatever their age.",
    )
    credit_provision_journal_id = fields.Many2one(
        "account.journal",
        string="Provision Journal",
        domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="Journal of the bad-debt provision and write-off entries.",
    )
    credit_provision_expense_account_id = fields.Many2one(
        "account.account",
        string="Bad-Debt Expense Account",
        domain="[('account_type', 'in', ('expense', 'expense_other'))]",
        help="Debited when the provision goes up (资产减值损失 / 信用减值损失).",
    )
    credit_allowance_account_id = fields.Many2one(
        "account.account",
        string="Allowance for Doubtful Accounts",
        domain="[('account_type', 'not in', ('asset_receivable', 'liability_payable'))]",
        help="Contra-receivable account holding the provision (坏账准备); credited when the "
        "provision goes up, debited by write-offs.",
    )

    @api.constrains("credit_doubtful_days", "credit_plan_days", "credit_supervision_days")
    def _check_credit_days(self):
        for company in self:
            if (
                min(
                    company.credit_doubtful_days,
                    company.credit_plan_days,
                    company.credit_supervision_days,
                )
                < 0
            ):
                raise ValidationError(self.env._("Numbers of days cannot be negative."))

    @api.constrains("credit_doubtful_rate")
    def _check_credit_doubtful_rate(self):
        for company in self:
            if not 0 <= company.credit_doubtful_rate <= 100:
                raise ValidationError(self.env._("A provision rate is between 0 and 100 %."))

    # collections: fee invoices and effectiveness windows
    credit_dunning_fee_product_id = fields.Many2one(
        "product.product",
        string="Dunning Fee Product",
        domain="[('type', '=', 'service'), ('company_id', 'in', (False, id))]",
        help="Product of the fixed dunning fees invoiced to customers (its income account and "
        "taxes apply), unless the level names its own. Empty: the Dunning Fee product.",
    )
    credit_dunning_interest_product_id = fields.Many2one(
        "product.product",
        string="Penalty Interest Product",
        domain="[('type', '=', 'service'), ('company_id', 'in', (False, id))]",
        help="Product of the penalty interest (罚息) invoiced to customers, unless the level "
        "names its own. Empty: the Penalty Interest product.",
    )
    credit_dunning_window_1 = fields.Integer(
        string="First Effectiveness Window (Days)",
        default=core_dunning.DEFAULT_EFFECTIVENESS_WINDOWS[0],
        help="The effectiveness report counts what was paid within this many days after "
        "each contact.",
    )
    credit_dunning_window_2 = fields.Integer(
        string="Second Effectiveness Window (Days)",
        default=core_dunning.DEFAULT_EFFECTIVENESS_WINDOWS[1],
        help="Longer than the first window.",
    )
    credit_dunning_window_3 = fields.Integer(
        string="Third Effectiveness Window (Days)",
        default=core_dunning.DEFAULT_EFFECTIVENESS_WINDOWS[2],
        help="Longer than the second window.",
    )

    @api.constrains("credit_dunning_window_1", "credit_dunning_window_2", "credit_dunning_window_3")
    def _check_credit_dunning_windows(self):
        for company in self:
            company._credit_dunning_windows()

    def _credit_dunning_windows(self):
        """The company's effectiveness windows (days), checked (ValidationError)."""
        self.ensure_one()
        windows = (
            self.credit_dunning_window_1,
            self.credit_dunning_window_2,
            self.credit_dunning_window_3,
        )
        try:
            return core_dunning.check_windows(windows)
        except core_dunning.InvalidWindowsError as error:
            reasons = {
                "not_positive": self.env._("%s is not a positive number of days", error.value),
                "too_large": self.env._(
                    "%(days)s days is more than %(max)s days (ten years)",
                    days=error.value,
                    max=core_dunning.MAX_WINDOW_DAYS,
                ),
                "not_increasing": self.env._(
                    "%s is not longer than the window before it", error.value
                ),
            }
            raise ValidationError(
                self.env._(
                    "The effectiveness windows %(windows)s of %(company)s are not valid: "
                    "%(reason)s. Give three increasing numbers of days, e.g. 7, 30 and 60.",
                    windows=", ".join(str(days) for days in windows),
                    company=self.name,
                    reason=reasons[error.problem],
                )
            ) from None

    @api.constrains("credit_dunning_fee_product_id", "credit_dunning_interest_product_id")
    def _check_credit_dunning_products(self):
        for company in self:
            products = (
                company.credit_dunning_fee_product_id | company.credit_dunning_interest_product_id
            )
            if products.filtered(lambda p: p.type != "service"):
                raise ValidationError(
                    self.env._("Dunning fees and penalty interest are invoiced as services.")
                )

    credit_provision_unsecured_only = fields.Boolean(
        string="Provision the Unsecured Part Only",
        help="When on, a customer's receivables covered by its securities in force on the "
        "provision date (guarantees, collateral, credit insurance, letters of credit) are left "
        "out of the bad-debt provision: the secured amount is taken off the age buckets with "
        "the lowest rates first, and the rates apply to the rest.",
    )


def parse_aging_bounds(env, text):
    """``core_aging.parse_bounds`` with the reason said in the user's language."""
    try:
        return core_aging.parse_bounds(text or "")
    except core_aging.InvalidBoundsError as error:
        reasons = {
            "empty": env._("no bound is given"),
            "not_a_number": env._("%s is not a whole number of days", repr(error.value)),
            "too_many": env._("%s bounds is more than six", error.value),
            "not_positive": env._("%s is not a positive number of days", error.value),
            "too_large": env._(
                "%(bound)s days is more than %(max)s days (ten years)",
                bound=error.value,
                max=core_aging.MAX_BOUND_DAYS,
            ),
            "not_increasing": env._("%s is not greater than the bound before it", error.value),
        }
        raise ValidationError(
            env._(
                "The aging buckets %(bounds)s are not valid: %(reason)s. Write up to six "
                "increasing numbers of days, at most %(max)s, separated by commas, e.g. "
                "30,60,90,180,365.",
                bounds=repr(text or ""),
                reason=reasons[error.problem],
                max=core_aging.MAX_BOUND_DAYS,
            )
        ) from None
