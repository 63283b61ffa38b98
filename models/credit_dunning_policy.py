from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CreditDunningPolicy(models.Model):
    """A dunning policy (收账政策 / 催收程序): the ordered levels a customer's open items go
    through, from reminders before the due date to the legal hand-over. Each company has one
    default policy; a policy may also be assigned to grades (every customer of those grades)
    and to single customers on their credit file, the customer's own choice winning over its
    grade's, and the grade's over the company default."""

    _name = "credit.dunning.policy"
    _description = "Dunning Policy"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True)
    is_default = fields.Boolean(
        string="Company Default",
        help="Applies to every customer of the company that has no policy of its own and "
        "whose grade has none.",
    )
    grade_ids = fields.Many2many(
        "credit.grade",
        string="Grades",
        help="Customers rated with one of these grades follow this policy, unless their "
        "credit file names another one.",
    )
    level_ids = fields.One2many("credit.dunning.level", "policy_id", string="Levels", copy=True)
    min_days_between = fields.Integer(
        string="Minimum Days Between Contacts",
        default=7,
        help="An item is not sent its next level sooner than this after the previous one, so "
        "that a customer found late is neither harassed nor forgotten.",
    )
    collector_id = fields.Many2one(
        "res.users",
        string="Default Collector",
        help="Receives the calls, visits and hand-overs of customers whose credit file has "
        "no credit officer.",
    )

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for policy in self.filtered(lambda p: p.is_default and p.active):
            if self.search_count(
                [
                    ("company_id", "=", policy.company_id.id),
                    ("is_default", "=", True),
                    ("id", "!=", policy.id),
                ]
            ):
                raise ValidationError(
                    _(
                        "The company %(company)s already has a default dunning policy.",
                        company=policy.company_id.name,
                    )
                )

    @api.constrains("grade_ids", "company_id", "active")
    def _check_grade_once(self):
        for policy in self.filtered("active"):
            others = self.search(
                [
                    ("company_id", "=", policy.company_id.id),
                    ("grade_ids", "in", policy.grade_ids.ids),
                    ("id", "!=", policy.id),
                ]
            )
            if others:
                raise ValidationError(
                    _(
                        "Grade %(grade)s already follows the dunning policy %(policy)s.",
                        grade=", ".join((others.grade_ids & policy.grade_ids).mapped("code")),
                        policy=others[0].name,
                    )
                )

    @api.constrains("min_days_between")
    def _check_min_days_between(self):
        if any(policy.min_days_between < 0 for policy in self):
            raise ValidationError(_("The minimum days between contacts cannot be negative."))

    @api.model
    def _default_for_company(self, company):
        return self.search([("company_id", "=", company.id), ("is_default", "=", True)], limit=1)
