from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..credit_management import provisions as core_provisions


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_doubtful_days = fields.Integer(
        string="Days Overdue Before Doubtful",
        default=core_provisions.DEFAULT_DOUBTFUL_DAYS,
        help="An open receivable this many days past its due date is classified as doubtful "
        "(呆坏账) and its case is handed to legal. 0: only by a credit officer's decision.",
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
