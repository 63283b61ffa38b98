from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_policy_id = fields.Many2one(
        "credit.policy",
        compute="_compute_credit_policy_id",
        string="Credit Policy in Force",
        help="The company's own credit policy, or the shared one when it has none.",
    )

    @api.depends("company_id")
    def _compute_credit_policy_id(self):
        Policy = self.env["credit.policy"]
        for settings in self:
            settings.credit_policy_id = Policy.search(
                ["|", ("company_id", "=", settings.company_id.id), ("company_id", "=", False)],
                order="company_id",
                limit=1,
            )

    credit_policy_shared = fields.Boolean(compute="_compute_credit_policy_shared")

    @api.depends("credit_policy_id")
    def _compute_credit_policy_shared(self):
        for settings in self:
            settings.credit_policy_shared = not settings.credit_policy_id.company_id

    credit_limit_method = fields.Selection(
        related="credit_policy_id.limit_method", readonly=False, string="Limit Method"
    )
    credit_company_dso_coefficient = fields.Float(
        related="credit_policy_id.company_dso_coefficient", readonly=False
    )
    credit_default_industry_dso = fields.Integer(
        related="credit_policy_id.default_industry_dso", readonly=False
    )
    credit_new_customer_months = fields.Integer(
        related="credit_policy_id.new_customer_months", readonly=False
    )
    credit_review_months = fields.Integer(related="credit_policy_id.review_months", readonly=False)
    credit_rating_validity_months = fields.Integer(
        related="credit_policy_id.rating_validity_months", readonly=False
    )
    credit_officer_id = fields.Many2one(related="credit_policy_id.officer_id", readonly=False)
    credit_scoring_model_id = fields.Many2one(
        related="credit_policy_id.scoring_model_id", readonly=False
    )

    def action_open_credit_policy(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.policy",
            "res_id": self.credit_policy_id.id,
            "view_mode": "form",
            "target": "current",
        }

    credit_aging_bounds = fields.Char(
        related="company_id.credit_aging_bounds", readonly=False, string="Aging Buckets"
    )
    credit_aging_salespeople_see_all = fields.Boolean(
        related="company_id.credit_aging_salespeople_see_all", readonly=False
    )

    # receivable classification and bad-debt provisions
    credit_doubtful_days = fields.Integer(related="company_id.credit_doubtful_days", readonly=False)
    credit_plan_days = fields.Integer(related="company_id.credit_plan_days", readonly=False)
    credit_supervision_days = fields.Integer(
        related="company_id.credit_supervision_days", readonly=False
    )
    credit_doubtful_rate = fields.Float(related="company_id.credit_doubtful_rate", readonly=False)
    credit_provision_journal_id = fields.Many2one(
        related="company_id.credit_provision_journal_id", readonly=False
    )
    credit_provision_expense_account_id = fields.Many2one(
        related="company_id.credit_provision_expense_account_id", readonly=False
    )
    credit_allowance_account_id = fields.Many2one(
        related="company_id.credit_allowance_account_id", readonly=False
    )

    # collections: fee invoices and effectiveness windows
    credit_dunning_fee_product_id = fields.Many2one(
        related="company_id.credit_dunning_fee_product_id", readonly=False
    )
    credit_dunning_interest_product_id = fields.Many2one(
        related="company_id.credit_dunning_interest_product_id", readonly=False
    )
    credit_dunning_window_1 = fields.Integer(
        related="company_id.credit_dunning_window_1", readonly=False
    )
    credit_dunning_window_2 = fields.Integer(
        related="company_id.credit_dunning_window_2", readonly=False
    )
    credit_dunning_window_3 = fields.Integer(
        related="company_id.credit_dunning_window_3", readonly=False
    )
    credit_provision_unsecured_only = fields.Boolean(
        related="company_id.credit_provision_unsecured_only", readonly=False
    )
