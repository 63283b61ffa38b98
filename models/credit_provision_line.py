from markupsafe import Markup

from odoo import api, fields, models

from ..credit_management import provisions as core_provisions


class CreditProvisionLine(models.Model):
    """One customer of a provision: what it owes by age and how much is provisioned."""

    _name = "credit.provision.line"
    _description = "Bad-Debt Provision Line"
    _order = "provision_id, adjustment desc, id"

    provision_id = fields.Many2one(
        "credit.provision", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="provision_id.company_id", store=True)
    currency_id = fields.Many2one(related="provision_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", help="Empty for receivables booked without a customer."
    )
    amount_not_due = fields.Monetary(string="Not Due", currency_field="currency_id")
    amount_overdue = fields.Monetary(string="Overdue", currency_field="currency_id")
    amount_doubtful = fields.Monetary(string="Doubtful", currency_field="currency_id")
    amount_total = fields.Monetary(
        string="Open Receivable",
        compute="_compute_amount_total",
        store=True,
        currency_field="currency_id",
    )
    amount_secured = fields.Monetary(
        string="Secured",
        currency_field="currency_id",
        help="Part of the open receivable covered by the customer's securities and left out "
        "of the provision (only when the company provisions the unsecured part only); taken "
        "off the age buckets with the lowest rates first.",
    )
    proposed = fields.Monetary(
        string="Proposed Provision",
        currency_field="currency_id",
        help="Sum of each age bucket x its rate, doubtful items at the doubtful rate.",
    )
    previous = fields.Monetary(
        string="Previous Provision",
        currency_field="currency_id",
        help="Provision already booked for the customer on the allowance account.",
    )
    adjustment = fields.Monetary(
        compute="_compute_adjustment",
        store=True,
        currency_field="currency_id",
        help="Proposed - previous: booked as expense when positive, released when negative.",
    )
    buckets = fields.Json(help="Open amount and rate of each age bucket.")
    buckets_html = fields.Html(string="By Age", compute="_compute_buckets_html", sanitize=True)

    @api.depends("amount_not_due", "amount_overdue", "amount_doubtful")
    def _compute_amount_total(self):
        for line in self:
            line.amount_total = line.amount_not_due + line.amount_overdue + line.amount_doubtful

    @api.depends("proposed", "previous")
    def _compute_adjustment(self):
        for line in self:
            line.adjustment = line.currency_id.round(
                float(core_provisions.adjustment(line.proposed, line.previous))
            )

    @api.depends("buckets")
    def _compute_buckets_html(self):
        for line in self:
            row = Markup(
                "<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s %%</td>%s</tr>"
            )
            secured = Markup("<td class='text-end'>%s</td>")
            rows = Markup().join(
                row
                % (
                    bucket["label"],
                    line.currency_id.format(bucket["amount"]),
                    bucket["rate"],
                    secured
                    % self.env._(
                        "%(amount)s secured",
                        amount=line.currency_id.format(bucket["secured"]),
                    )
                    if bucket.get("secured")
                    else "",
                )
                for bucket in line.buckets or []
                if bucket["amount"]
            )
            line.buckets_html = rows and Markup("<table class='table table-sm'>%s</table>") % rows
