from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..credit_management import aging as core_aging


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
            "not_increasing": env._("%s is not greater than the bound before it", error.value),
        }
        raise ValidationError(
            env._(
                "The aging buckets %(bounds)s are not valid: %(reason)s. Write up to six "
                "increasing numbers of days separated by commas, e.g. 30,60,90,180,365.",
                bounds=repr(text or ""),
                reason=reasons[error.problem],
            )
        ) from None
