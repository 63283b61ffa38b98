from odoo import Command, api, models
from odoo.tools import SQL, float_compare

from ..credit_management import terms as core_terms


class AccountPaymentTerm(models.Model):
    _inherit = "account.payment.term"

    @api.model
    def _credit_term_for(self, company, terms):
        """The payment term of ``company`` giving exactly ``terms`` (a
        ``credit_management.terms.CashDiscountTerms``: one installment of 100 % due
        ``net_days`` after the invoice date, with Odoo's early payment discount when it has
        one): an existing one (shared or the company's), else one created once and reused by
        every later grant of the same terms. Serialised per company, so two approvals at the
        same moment do not create it twice."""
        Term = self.sudo().with_company(company)
        self.env.cr.execute(
            SQL(
                "SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
                "credit_management.payment_term",
                company.id,
            )
        )
        candidates = Term.search(
            [
                ("company_id", "in", (False, company.id)),
                ("early_discount", "=", terms.has_discount),
                ("line_ids.nb_days", "=", terms.net_days),
            ],
            order="company_id, sequence, id",
        )
        for term in candidates:
            if term._credit_gives(terms):
                return term
        if terms.has_discount:
            name = str(terms)
        elif terms.net_days:
            name = self.env._("%(days)s Days", days=terms.net_days)
        else:
            name = self.env._("Immediate Payment")
        return Term.create(
            {
                "name": name,
                "company_id": company.id,
                "early_discount": terms.has_discount,
                "discount_percentage": float(terms.discount_percent),
                "discount_days": terms.discount_days,
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": 100.0,
                            "delay_type": core_terms.DELAY_DAYS_AFTER,
                            "nb_days": terms.net_days,
                        }
                    )
                ],
            }
        )

    def _credit_gives(self, terms):
        """Whether this payment term is exactly ``terms``: a single installment of 100 %
        due ``net_days`` after the invoice date, and the same early payment discount."""
        self.ensure_one()
        line = self.line_ids
        if (
            len(line) != 1
            or line.value != "percent"
            or float_compare(line.value_amount, 100.0, precision_digits=4)
            or line.delay_type != core_terms.DELAY_DAYS_AFTER
            or line.nb_days != terms.net_days
            or self.early_discount != terms.has_discount
        ):
            return False
        return not terms.has_discount or (
            not float_compare(
                self.discount_percentage, float(terms.discount_percent), precision_digits=4
            )
            and self.discount_days == terms.discount_days
        )
