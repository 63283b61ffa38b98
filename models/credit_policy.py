from decimal import Decimal

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from ..credit_management import four_eyes as core_four_eyes
from ..credit_management import limits as core_limits
from ..credit_management import terms as core_terms

LIMIT_METHODS = [
    (core_limits.METHOD_WORKING_CAPITAL, "Share of net working capital"),
    (core_limits.METHOD_NET_WORTH, "Share of net worth"),
    (core_limits.METHOD_LIQUIDATION, "Share of liquidation value"),
    (core_limits.METHOD_MANUAL, "Manual"),
]

MAX_REVIEW_MONTHS = 2
"""Customers are re-rated at least every two months (credit domain doc, "Before the deal")."""


class CreditPolicy(models.Model):
    """The credit policy (信用政策) of a company: how limits and terms are proposed, how new
    customers are treated and how often customers are re-rated. A policy without a company
    applies to every company that has none of its own."""

    _name = "credit.policy"
    _description = "Credit Policy"
    _order = "company_id, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one("res.company", index=True)
    active = fields.Boolean(default=True)
    scoring_model_id = fields.Many2one(
        "credit.scoring.model",
        required=True,
        check_company=True,
        help="The weighted factors and override rules used to score customers.",
    )
    officer_id = fields.Many2one(
        "res.users",
        string="Default Credit Officer",
        help="Receives reviews, limit requests and warning signs of customers whose credit "
        "file has no officer of its own.",
    )
    limit_method = fields.Selection(
        LIMIT_METHODS,
        required=True,
        default=core_limits.METHOD_WORKING_CAPITAL,
        help="How the credit limit is proposed: the grade's limit ratio applied to the "
        "customer's net working capital, net worth or liquidation value, or typed by the "
        "officer. A proposal is never above the customer's net worth nor its working capital.",
    )
    company_dso_coefficient = fields.Float(
        string="Company Adjustment Coefficient",
        digits=(6, 3),
        default=1.0,
        help="Company coefficient of the credit term formula: customer credit days = "
        "industry average DSO x company adjustment coefficient x grade coefficient.",
    )
    default_industry_dso = fields.Integer(
        string="Default Industry DSO (days)",
        default=30,
        help="Industry average days sales outstanding used when the customer's industry has "
        "none of its own.",
    )
    new_customer_months = fields.Integer(
        string="Months Before First Rating",
        default=3,
        help="New customers are graded C and pay before delivery until they have this many "
        "months of history with us.",
    )
    review_months = fields.Integer(
        string="Re-rating Period (months)",
        default=1,
        help="A customer's rating is reviewed again after this many months (at most two).",
    )
    rating_validity_months = fields.Integer(
        string="Rating Validity (months)",
        default=2,
        help="An approved rating, limit and term are valid for this many months.",
    )
    payment_window_days = fields.Integer(
        string="Payment History Window (days)",
        default=365,
        help="Payment behaviour (on-time payment rate, days late, overdue items) is measured "
        "on the items that fell due within this many days.",
    )
    slowdown_days = fields.Integer(
        string="Slower Payment Threshold (days)",
        default=5,
        help="Warning sign: the average days to pay of the last 90 days exceeds that of the "
        "90 days before by more than this.",
    )
    bank_change_count = fields.Integer(
        string="Bank Account Changes",
        default=2,
        help="Warning sign: this many bank accounts added to the customer within 90 days.",
    )
    concentration_warning_percent = fields.Float(
        string="Concentration Threshold (%)",
        digits=(5, 2),
        default=10.0,
        help="Warning sign: one customer holds more than this share of the company's total "
        "credit exposure (0: off).",
    )

    # --- order credit checks (during the deal) ---
    check_limit = fields.Boolean(
        string="Check Credit Limit",
        default=True,
        help="Hold an order when the customer's exposure after it exceeds the limit in force. "
        "A limit of 0 means no credit; tick Unlimited on the credit file for no ceiling.",
    )
    check_overdue_amount = fields.Boolean(
        default=True,
        help="Hold an order when the customer's overdue money exceeds its grade's tolerance.",
    )
    check_overdue_days = fields.Boolean(
        string="Check Oldest Overdue",
        default=True,
        help="Hold an order when the customer's oldest overdue item is older than its "
        "grade's maximum days.",
    )
    check_grade_policy = fields.Boolean(
        default=True,
        help="Cash-on-delivery and payment-before-delivery grades (and unrated customers) "
        "take only orders with an immediate payment term or paid in advance.",
    )
    check_rating_expired = fields.Boolean(
        string="Check Rating Validity",
        default=True,
        help="Hold an order when the customer's rating is past its valid-until date.",
    )
    check_manual_hold = fields.Boolean(
        default=True,
        help="Hold every order of a customer put on hold by a credit officer.",
    )
    check_max_document = fields.Boolean(
        string="Check Maximum Order Value",
        default=True,
        help="Hold a single order above its grade's maximum order value.",
    )
    check_group_limit = fields.Boolean(
        string="Check Credit Group Limits",
        default=True,
        help="Hold an order when the exposure of the customer's credit group (a parent "
        "company and its subsidiaries) would go above the limit the group shares.",
    )
    check_term = fields.Boolean(
        string="Check Credit Term",
        default=True,
        help="Hold an order whose payment term gives the customer more days than its granted "
        "credit term (the last installment, end-of-month terms at their longest). Orders "
        "paid at or before delivery pass.",
    )
    cash_discount_percentage = fields.Float(
        string="Cash Discount (%)",
        digits=(5, 2),
        help='Cash discount offered for early payment, e.g. 2 for "2/10, n/30". The payment '
        "term given to a customer when its review is approved carries it (0: no discount).",
    )
    cash_discount_days = fields.Integer(
        help="Days after the invoice date within which the cash discount applies, e.g. 10 "
        'for "2/10, n/30".',
    )
    count_postdated_payments = fields.Boolean(
        string="Count Post-dated Payments at Once",
        help="When ticked, a payment dated after today (a post-dated cheque) lowers the "
        "exposure as soon as it is posted. By default it counts from its date on: until "
        "then the money is not in.",
    )
    exposure_receivables = fields.Boolean(
        string="Open Receivables",
        default=True,
        help="Posted receivables still open, including credit notes and payments not yet "
        "matched (they lower the exposure).",
    )
    exposure_draft_invoices = fields.Boolean(string="Draft Invoices", default=True)
    exposure_orders = fields.Boolean(
        string="Orders Not Yet Invoiced",
        default=True,
        help="Confirmed sale orders: ordered quantities not invoiced yet, taxes included.",
    )
    officer_may_approve_own = fields.Boolean(
        string="Officers May Release Their Own Orders",
        help="When unticked, a credit officer who is also the salesperson of a held order "
        "cannot release it: another officer must decide.",
    )

    # --- securities (债权保障): guarantees, collateral, credit insurance, letters of credit ---
    limit_basis = fields.Selection(
        [("total", "Total exposure"), ("unsecured", "Unsecured exposure")],
        string="Limit On",
        required=True,
        default="total",
        help="Total exposure: the credit limit is judged on the whole exposure and the "
        "customer's securities are informative (a cushion). Unsecured exposure: the part "
        "covered by active securities valid today (guarantees, collateral, credit insurance, "
        "letters of credit) is left out, for orders, the quotation banner and the customer "
        "checks alike.",
    )
    security_expiry_notice_days = fields.Integer(
        string="Security Expiry Notice (days)",
        default=30,
        help="The credit officer gets an activity this many days before a security ends.",
    )

    # --- four-eyes approval (双人复核): see credit_management/four_eyes.py ---
    four_eyes_enabled = fields.Boolean(
        string="Four-Eyes Approval",
        help="Large holds and limit raises need a second approval by another credit officer "
        "or a credit manager: the first officer's approval is recorded, and the order is "
        "released or the limit granted only when someone else approves too.",
    )
    four_eyes_currency_id = fields.Many2one(
        "res.currency", compute="_compute_four_eyes_currency_id", string="Threshold Currency"
    )

    @api.depends("company_id")
    def _compute_four_eyes_currency_id(self):
        """Thresholds are in the company's currency (a shared policy: each company's)."""
        for policy in self:
            policy.four_eyes_currency_id = (
                policy.company_id.currency_id or self.env.company.currency_id
            )

    four_eyes_hold_amount = fields.Monetary(
        string="Second Approval for Holds Above",
        currency_field="four_eyes_currency_id",
        help="A held order whose amount on credit (company currency, as at the check) is above "
        "this needs a second approval, whatever rule it failed. Equal is not above; 0: off.",
    )
    four_eyes_limit_amount = fields.Monetary(
        string="Second Approval for Limits Above",
        currency_field="four_eyes_currency_id",
        help="A raise (review, limit request or temporary limit to release an order) giving "
        "a new limit above this needs a second approval. Judged on the new limit, not on the "
        "increase, so raising in small steps does not avoid it. 0: off.",
    )
    four_eyes_overdue_raises = fields.Boolean(
        string="Raises for Overdue Customers Need a Second Approval",
        default=True,
        help="Any limit raise for a customer who owes money past its due date needs a second "
        "approval, whatever the amount.",
    )
    four_eyes_user_id = fields.Many2one(
        "res.users",
        string="Second Approver to Notify",
        help="Gets an activity when a decision waits for a second approval. Empty (or the "
        "first approver): every credit manager of the company is notified.",
    )

    @api.constrains("four_eyes_hold_amount", "four_eyes_limit_amount")
    def _check_four_eyes_amounts(self):
        if any(p.four_eyes_hold_amount < 0 or p.four_eyes_limit_amount < 0 for p in self):
            raise ValidationError(_("The values of a credit policy cannot be negative."))

    def _four_eyes_core(self):
        """This policy's four-eyes settings as the core's ``FourEyesPolicy``."""
        self.ensure_one()
        return core_four_eyes.FourEyesPolicy(
            enabled=self.four_eyes_enabled,
            hold_threshold=Decimal(str(self.four_eyes_hold_amount)),
            limit_threshold=Decimal(str(self.four_eyes_limit_amount)),
            overdue_raises=self.four_eyes_overdue_raises,
        )

    @api.constrains("security_expiry_notice_days")
    def _check_security_expiry_notice_days(self):
        if any(policy.security_expiry_notice_days < 0 for policy in self):
            raise ValidationError(_("The values of a credit policy cannot be negative."))

    def _enabled_rules(self):
        """The codes of the credit check rules this policy runs: those whose switch is on,
        and those registered without a switch (see ``credit.exposure._credit_rules``)."""
        self.ensure_one()
        return frozenset(
            rule.code
            for rule in self.env["credit.exposure"]._credit_rules()
            if not rule.policy_field or self[rule.policy_field]
        )

    @api.model
    def _check_rule_fields(self):
        """Check rule code -> policy switch, from the rule registry."""
        return {
            rule.code: rule.policy_field
            for rule in self.env["credit.exposure"]._credit_rules()
            if rule.policy_field
        }

    @api.model
    def _exposure_category_fields(self):
        """Exposure category -> policy switch, from the exposure categories."""
        return {
            category.code: category.policy_field
            for category in self.env["credit.exposure"]._exposure_categories()
            if category.policy_field
        }

    def _exposure_total(self, exposure):
        """Exposure = sum of the categories this policy switches on, from a
        ``credit.exposure._exposure_by_partner`` entry."""
        self.ensure_one()
        return self.env["credit.exposure"]._exposure_total(self, exposure)

    @api.constrains(
        "company_dso_coefficient",
        "default_industry_dso",
        "new_customer_months",
        "review_months",
        "rating_validity_months",
        "payment_window_days",
        "slowdown_days",
        "bank_change_count",
        "cash_discount_percentage",
        "cash_discount_days",
    )
    def _check_values(self):
        for policy in self:
            numbers = (
                policy.company_dso_coefficient,
                policy.default_industry_dso,
                policy.new_customer_months,
                policy.slowdown_days,
                policy.bank_change_count,
            )
            if any(value < 0 for value in numbers):
                raise ValidationError(_("The values of a credit policy cannot be negative."))
            if not 1 <= policy.review_months <= MAX_REVIEW_MONTHS:
                raise ValidationError(
                    _(
                        "Customers must be re-rated at least every %(months)s months: the "
                        "re-rating period must lie between 1 and %(months)s.",
                        months=MAX_REVIEW_MONTHS,
                    )
                )
            if policy.rating_validity_months < 1 or policy.payment_window_days < 1:
                raise ValidationError(
                    _("The rating validity and the payment window must be at least 1.")
                )
            if not 0 <= policy.cash_discount_percentage < 100:
                raise ValidationError(
                    _("A cash discount is a percentage from 0 up to, but not including, 100.")
                )
            if policy.cash_discount_days < 0 or (
                policy.cash_discount_percentage and policy.cash_discount_days < 1
            ):
                raise ValidationError(
                    _("A cash discount needs the number of days it applies for (at least 1).")
                )

    def _granted_terms(self, days):
        """The payment term to grant a customer ``days`` of credit under this policy, with
        its cash discount (``credit_management.terms.granted_terms``); a translated
        ``ValidationError`` says why it cannot be given."""
        self.ensure_one()
        try:
            return core_terms.granted_terms(
                days, str(self.cash_discount_percentage), self.cash_discount_days
            )
        except core_terms.InvalidTermsError as error:
            reasons = []
            for problem in error.problems:
                if problem.kind == "negative" and problem.field == "net_days":
                    reasons.append(_("a credit term cannot be shorter than 0 days"))
                elif problem.kind == "discount_after_net":
                    reasons.append(
                        _(
                            "the cash discount period (%(discount_days)s days) is longer than "
                            "the credit term (%(days)s days)",
                            discount_days=problem.value,
                            days=problem.other_value,
                        )
                    )
                elif problem.kind == "percent_out_of_range":
                    reasons.append(
                        _(
                            "a cash discount of %(percent)s %% is not between 0 and 100",
                            percent=problem.value,
                        )
                    )
                else:
                    reasons.append(_("the cash discount needs its number of days"))
            raise ValidationError(
                _(
                    "The payment term of %(days)s days cannot be given: %(reasons)s.",
                    days=days,
                    reasons="; ".join(reasons),
                )
            ) from error

    @api.constrains("concentration_warning_percent")
    def _check_concentration_warning_percent(self):
        for policy in self:
            if not 0 <= policy.concentration_warning_percent <= 100:
                raise ValidationError(
                    _("The concentration threshold is a percentage between 0 and 100.")
                )

    @api.model
    def _for_company(self, company):
        """The policy in force for ``company``: its own, else the shared one. The order
        gate asks for it several times per confirmation: which policy applies is kept in
        an ``ormcache`` (cleared when a policy is created, deleted, archived or moved to
        another company, on every server through Odoo's cache signalling), and the record
        is read in this environment."""
        policy = self.browse(self._policy_id_for_company(company.id))
        if not policy:
            raise ValidationError(
                _("No credit policy applies to company %(company)s.", company=company.name)
            )
        return policy

    @api.model
    @tools.ormcache("company_id")
    def _policy_id_for_company(self, company_id):
        """Id of the active policy of ``company_id``, else of the shared one, else 0."""
        Policy = self.sudo().with_context(active_test=True)
        policy = Policy.search([("company_id", "=", company_id)], limit=1) or Policy.search(
            [("company_id", "=", False)], limit=1
        )
        return policy.id or 0

    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        self.env.registry.clear_cache()
        return policies

    def write(self, vals):
        result = super().write(vals)
        if {"company_id", "active"} & set(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
