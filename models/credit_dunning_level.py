from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..credit_management import dunning as core_dunning
from ..credit_management.numbers import to_decimal

CHANNELS = [
    ("email", "E-mail"),
    ("letter", "Letter"),
    ("phone", "Phone call"),
    ("visit", "Visit"),
    ("legal", "Legal / agency hand-over"),
]
FEE_TYPES = [
    (core_dunning.FEE_NONE, "No fee"),
    (core_dunning.FEE_FIXED, "Fixed fee"),
    (core_dunning.FEE_INTEREST, "Penalty interest"),
]


class CreditDunningLevel(models.Model):
    """One step of a dunning policy, reached by an open item ``days`` after its due date
    (negative: before it), with the channel, the documents sent, the fee charged and the
    sanctions that come with it."""

    _name = "credit.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, days, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    policy_id = fields.Many2one(
        "credit.dunning.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="policy_id.currency_id")
    days = fields.Integer(
        required=True,
        help="Days after the due date at which an item reaches this level; negative for "
        "reminders before the due date (e.g. -7 = one week before, 0 = on the due date).",
    )
    channel = fields.Selection(CHANNELS, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "credit.dunning.communication")],
        help="The e-mail sent to the customer at this level (e-mail channel).",
    )
    letter_report_id = fields.Many2one(
        "ir.actions.report",
        string="Letter Layout",
        domain=[("model", "=", "credit.dunning.communication")],
        help="The letter printed (letter channel) or attached to the e-mail.",
    )
    attach_invoices = fields.Boolean(
        string="Attach Overdue Invoices",
        help="Attach the PDF of every invoice in the reminder to the e-mail.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Collector Activity",
        help="An activity scheduled for the collector when this level is sent (call the "
        "customer, visit, hand over to the lawyer...).",
    )
    skippable = fields.Boolean(
        string="May Be Skipped",
        help="When the next level is already due (the customer's item is found late), this "
        "level is passed over instead of being sent first. Levels not marked so are always "
        "sent in turn.",
    )
    fee_type = fields.Selection(FEE_TYPES, required=True, default=core_dunning.FEE_NONE)
    fee_amount = fields.Monetary(string="Fixed Fee", currency_field="currency_id")
    interest_rate = fields.Float(
        string="Interest Rate per Day (%)",
        digits=(8, 4),
        help="Penalty interest (罚息) in percent per day on each overdue item's open amount, "
        "for the days not charged at an earlier level.",
    )
    fee_min = fields.Monetary(
        string="Minimum Interest",
        currency_field="currency_id",
        help="Interest charged with one communication is at least this (0: no minimum).",
    )
    fee_cap = fields.Monetary(
        string="Interest Cap",
        currency_field="currency_id",
        help="Interest charged with one communication is at most this (0: no cap, allowed "
        "only without a minimum).",
    )
    invoice_fees = fields.Boolean(
        help="When a communication of this level is sent, its fee and penalty interest are "
        "charged to the customer with one posted customer invoice, linked to the "
        "communication (and cancelled with it if the items are disputed). Off: they are only "
        "shown on the letter and the e-mail.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        domain="[('type', '=', 'service')]",
        help="Product of the invoiced fee (its income account and taxes apply). Empty: the "
        "company's, else the Dunning Fee product.",
    )
    interest_product_id = fields.Many2one(
        "product.product",
        domain="[('type', '=', 'service')]",
        help="Product of the invoiced penalty interest. Empty: the company's, else the Penalty "
        "Interest product.",
    )
    set_credit_hold = fields.Boolean(
        string="Put on Credit Hold",
        help="Sending this level puts the customer's credit file on credit hold: new orders "
        "wait for a credit officer.",
    )
    stop_deliveries = fields.Boolean(
        help="Sending this level stops deliveries to the customer until an officer lifts the stop."
    )

    _sql_constraints = [
        ("days_unique", "unique(policy_id, days)", "Two levels of a policy cannot share days."),
    ]

    @api.constrains("fee_amount", "interest_rate", "fee_min", "fee_cap")
    def _check_fees(self):
        for level in self:
            if min(level.fee_amount, level.interest_rate, level.fee_min, level.fee_cap) < 0:
                raise ValidationError(
                    _("The fees of level %(level)s cannot be negative.", level=level.name)
                )
            if level.fee_min and level.fee_min > level.fee_cap:
                # a cap of 0 ("no cap") under a minimum is a typo more often than a choice
                raise ValidationError(
                    _(
                        "The minimum interest of level %(level)s is above its cap: a level "
                        "with a minimum needs a cap at least as high.",
                        level=level.name,
                    )
                )

    @api.constrains("fee_product_id", "interest_product_id")
    def _check_fee_products(self):
        for level in self:
            if (level.fee_product_id | level.interest_product_id).filtered(
                lambda p: p.type != "service"
            ):
                raise ValidationError(
                    _(
                        "Level %(level)s: dunning fees and penalty interest are invoiced as "
                        "services.",
                        level=level.name,
                    )
                )

    def _fee_products(self, company):
        """(fee product, interest product) invoiced at this level for ``company``: the
        level's own, else the company's, else the products shipped with the addon."""
        self.ensure_one()
        fee = (
            self.fee_product_id
            or company.credit_dunning_fee_product_id
            or self.env.ref("credit_management.product_dunning_fee")
        )
        interest = (
            self.interest_product_id
            or company.credit_dunning_interest_product_id
            or self.env.ref("credit_management.product_dunning_interest")
        )
        return fee, interest

    @api.constrains("channel", "mail_template_id", "letter_report_id")
    def _check_documents(self):
        for level in self:
            if level.channel == "email" and not level.mail_template_id:
                raise ValidationError(
                    _("The e-mail level %(level)s needs an e-mail template.", level=level.name)
                )
            if level.channel == "letter" and not level.letter_report_id:
                raise ValidationError(
                    _("The letter level %(level)s needs a letter layout.", level=level.name)
                )

    def _to_core(self):
        self.ensure_one()
        return core_dunning.Level(self.id, self.days, self.skippable)

    def _core_fee(self):
        self.ensure_one()
        return core_dunning.Fee(
            kind=self.fee_type,
            amount=to_decimal(self.fee_amount),
            rate=to_decimal(self.interest_rate),
            minimum=to_decimal(self.fee_min),
            cap=to_decimal(self.fee_cap),
        )
