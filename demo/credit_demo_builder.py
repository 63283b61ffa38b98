from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from odoo import fields

Payments = tuple[tuple[int, float], ...]
"""(days after the due date, share of the invoice) of each payment; negative days are
payments before the due date (or before delivery when the term is 0)."""


def _always(days: int) -> Callable[[int, int], Payments]:
    """Every invoice paid in full ``days`` after its due date (negative: early)."""
    return lambda index, due_age: ((days, 1.0),)


@dataclass(frozen=True)
class DemoLedger:
    """The invoice history of one demo customer: an invoice every ``step`` days from
    ``first`` days ago until ``last`` days ago, due ``term`` days after its date, paid as
    ``pay(index, due_age)`` says, where ``index`` counts the invoices from the oldest and
    ``due_age`` is how many days ago the invoice fell due. Payments that would fall after
    today are not made, so the invoice stays open (and overdue once its due date passed)."""

    customer: str
    term: int
    first: int
    step: int
    amounts: tuple[int, ...]
    product: str
    pay: Callable[[int, int], Payments]
    last: int = 15


@dataclass(frozen=True)
class DemoRating:
    """How the officer handles the customer's reviews: an earlier review approved
    ``earlier`` days ago (0: none), then today's review approved as proposed, approved
    with ``adjust`` and ``reason``, or left waiting for approval (``pending``)."""

    customer: str
    earlier: int = 0
    pending: bool = False
    adjust: dict = field(default_factory=dict)
    reason: str = ""


LEDGERS = (
    # AAA: 18 months of history, every invoice paid three days early
    DemoLedger(
        "huaxin", 60, 540, 30, (48000, 52000, 39500, 61000, 45000), "product_product_8", _always(-3)
    ),
    # AA: pays on the due date
    DemoLedger(
        "haitong", 45, 465, 31, (36000, 41000, 32000, 45000), "consu_delivery_02", _always(0)
    ),
    # AA: pays on the due date or the day before
    DemoLedger(
        "bluewater",
        45,
        420,
        30,
        (22000, 27500, 19800, 25000),
        "product_product_24",
        lambda index, due_age: ((-(index % 2), 1.0),),
    ),
    # A: on time but for two invoices paid a week late (payment rate below 100 % caps at A)
    DemoLedger(
        "xinyuan",
        30,
        452,
        30,
        (14000, 16500, 12800, 18000),
        "consu_delivery_01",
        lambda index, due_age: ((7 if index in (7, 10) else 0, 1.0),),
    ),
    # A until lately: the invoices due in the last six weeks are paid 25 days late
    DemoLedger(
        "jinhai",
        45,
        445,
        30,
        (28000, 33000, 25500, 31000),
        "consu_delivery_03",
        lambda index, due_age: ((0 if due_age >= 45 else 25, 1.0),),
    ),
    # BBB: one invoice in five paid 12 days late, the latest one overdue
    DemoLedger(
        "pacific",
        30,
        500,
        30,
        (16000, 21500, 18200, 15400),
        "consu_delivery_01",
        lambda index, due_age: () if 0 < due_age < 30 else ((12 if index % 5 == 2 else 0, 1.0),),
    ),
    # BB: one invoice in three paid 18 days late, one invoice 45 days overdue
    DemoLedger(
        "hongda",
        45,
        420,
        30,
        (12500, 15800, 11200, 14000),
        "product_product_3",
        lambda index, due_age: () if 30 <= due_age < 60 else ((18 if index % 3 == 1 else 0, 1.0),),
    ),
    # B: every other invoice paid 20 days late, the one due a month or two ago half paid
    DemoLedger(
        "rongsheng",
        45,
        390,
        30,
        (9800, 12400, 8600, 11000),
        "product_product_6",
        lambda index, due_age: (
            ((20, 0.5),) if 30 <= due_age < 60 else ((20 if index % 2 == 0 else 0, 1.0),)
        ),
    ),
    # CCC: pays 25 days late, lately only half of each invoice
    DemoLedger(
        "redwood",
        30,
        365,
        35,
        (8200, 10500, 7600, 9400),
        "product_product_24",
        lambda index, due_age: ((25, 0.5),) if due_age < 70 else ((25, 1.0),),
    ),
    # C (competitor products): pays on time
    DemoLedger(
        "yuxing", 45, 420, 30, (17500, 21000, 15800, 19600), "product_product_8", _always(0)
    ),
    # C (large debts elsewhere): one invoice in three paid 5 days late
    DemoLedger(
        "tianfu",
        45,
        480,
        30,
        (26000, 30500, 23800, 28200),
        "consu_delivery_02",
        lambda index, due_age: ((5 if index % 3 == 0 else 0, 1.0),),
    ),
    # C (bankrupt): on time until half a year ago, then 20 days late, the last three unpaid
    DemoLedger(
        "northgate",
        30,
        470,
        30,
        (13500, 16800, 12200, 15000),
        "product_product_3",
        lambda index, due_age: () if due_age < 100 else ((20 if due_age < 160 else 0, 1.0),),
        last=50,
    ),
    # C (new customer): two orders, each paid two days before delivery
    DemoLedger("kaiyue", 0, 45, 29, (18600, 24300), "product_product_24", _always(-2), last=10),
)

RATINGS = (
    DemoRating("huaxin", earlier=31, pending=True),
    DemoRating("haitong"),
    DemoRating("bluewater"),
    DemoRating("xinyuan"),
    DemoRating("jinhai", earlier=42, pending=True),
    DemoRating(
        "pacific",
        adjust={"final_limit": 30000.0},
        reason="The group announced a restructuring and the sale of two properties: limit held "
        "at 30,000 until its audited accounts for this year are in.",
    ),
    DemoRating(
        "hongda",
        adjust={"final_days": 30},
        reason="One invoice 45 days overdue: term kept at 30 days until it is paid; the owner's "
        "personal guarantee is signed.",
    ),
    DemoRating("rongsheng"),
    DemoRating("redwood"),
    DemoRating("yuxing"),
    DemoRating("tianfu"),
    DemoRating("northgate"),
    DemoRating("kaiyue"),
)


CHINESE_SPEAKING = ("CN", "HK", "TW")
"""Countries and regions whose demo customers read Chinese."""


class DemoBuilder:
    """Builds the demo's believable credit histories. Lives with the demo data and is
    imported only when a database loads it (``credit.file._build_demo_histories``, called at
    the end of demo/credit_demo.xml)."""

    def __init__(self, env):
        self.env = env

    def with_company(self, company, **context):
        """The builder working in ``company``, with ``context`` added."""
        companies = self.env["res.company"].with_company(company)
        return DemoBuilder(companies.with_context(**context).env)

    def build(self):
        """The demo's languages, then its credit histories, told in English (chatter
        messages are stored in the language they were written in). Runs once: nothing is
        done when the demo customers already have invoices or reviews (an update of the
        addon keeps the languages users chose)."""
        if self._built():
            return
        self.set_languages()
        DemoBuilder(self.env(context=dict(self.env.context, lang="en_US")))._build_histories()

    def _built(self):
        files = self._demo_files()
        return bool(
            self.env["account.move"].search_count(
                [("partner_id", "child_of", files.partner_id.ids)], limit=1
            )
            or self.env["credit.review"].search_count([("file_id", "in", files.ids)], limit=1)
        )

    def _demo_files(self):
        return self.env["credit.file"].concat(*(self._demo_file(r.customer) for r in RATINGS))

    def set_languages(self):
        """English is active and the language of the users and of every customer, except
        those in mainland China, Hong Kong and Taiwan, who read Chinese when it is loaded
        (scripts/run loads it): letters, statements and mails go out in the customer's
        language, and an English user can switch to Chinese and back."""
        Lang = self.env["res.lang"]
        Lang._activate_lang("en_US")
        chinese = "zh_CN" if Lang.search_count([("code", "=", "zh_CN")]) else "en_US"
        regions = self.env["res.country"].search([("code", "in", CHINESE_SPEAKING)])
        partners = self.env["res.partner"].with_context(active_test=False).search([])
        in_china = partners.filtered(
            lambda partner: partner.commercial_partner_id.country_id in regions
        )
        (partners - in_china).write({"lang": "en_US"})
        in_china.write({"lang": chinese})
        self.env["res.users"].with_context(active_test=False).search([("share", "=", False)]).write(
            {"lang": "en_US"}
        )

    def _build_histories(self):
        """Invoice histories, reviews, limit requests and warning signs of the demo
        customers of demo/credit_demo.xml, dated from today."""
        files = self._demo_files()
        company = self.env.ref("base.main_company")
        demo = self.with_company(
            company, tracking_disable=True, mail_create_nolog=True, mail_notrack=True
        )
        today = fields.Date.context_today(self.env["res.users"])
        demo._build_ledgers(company, today)
        self.with_company(company)._build_ratings(today)
        self.with_company(company)._build_limit_requests(today)
        files._detect_warning_signs()
        self.with_company(company)._build_orders()
        demo._build_dunning(company, today)
        officer = self.env.ref("credit_management.demo_user_officer")
        self.env["credit.warning"].with_user(officer)._raise(
            self._demo_file("redwood"),
            "broken_promise",
            "The owner promised to pay the open balance by the 15th and did not.",
        )

    def _build_dunning(self, company, today):
        """Three weekly dunning runs already sent (without rendering their documents) and
        today's run waiting in the preview; a call logged with a promise to pay and a
        disputed invoice, so the worklist, the log and the effectiveness report show
        something."""
        officer = self.env.ref("credit_management.demo_user_officer")
        Run = self.env["credit.dunning.run"].with_company(company)
        for age in (21, 14, 7):
            run = Run._get_or_create(company, today - timedelta(days=age))
            run._compute_communications()
            run.state = "sending"
            while run.state == "sending":
                run.with_context(credit_dunning_no_documents=True)._send_batch()
        hongda = self._demo_file("hongda").partner_id
        disputed = self.env["account.move.line"].search(
            [
                ("partner_id", "=", hongda.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("parent_state", "=", "posted"),
            ],
            order="date_maturity desc",
            limit=1,
        )
        if disputed:
            self.env["credit.dunning.item.state"]._for_move_lines(disputed)._mark_disputed(
                "The customer says 12 of the chairs arrived damaged; waiting for the photos."
            )
        redwood = self._demo_file("redwood").partner_id
        items = self.env["account.move.line"].search(
            [
                ("partner_id", "=", redwood.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("parent_state", "=", "posted"),
            ]
        )
        if items:
            log = self.env["credit.collection.log"].create(
                {
                    "partner_id": redwood.id,
                    "company_id": company.id,
                    "channel": "phone",
                    "collector_id": officer.id,
                    "date": fields.Datetime.now() - timedelta(days=2),
                    "content": "Called the owner about the overdue invoices.",
                    "customer_answer": "Cash is tight until their own customer pays; will pay "
                    "half by the end of next week.",
                }
            )
            self.env["credit.payment.promise"].create(
                {
                    "partner_id": redwood.id,
                    "company_id": company.id,
                    "log_id": log.id,
                    "collector_id": officer.id,
                    "date_made": today - timedelta(days=2),
                    "date": today + timedelta(days=8),
                    "amount": round(sum(items.mapped("amount_residual")) / 2, 2),
                    "move_line_ids": [fields.Command.set(items.ids)],
                }
            )
        run = Run._get_or_create(company, today)
        run._compute_communications()
        run.state = "computed"

    def _demo_file(self, customer):
        return self.env.ref(f"credit_management.demo_file_{customer}")

    # ------------------------------------------------------------------
    # ledgers
    # ------------------------------------------------------------------
    def _build_ledgers(self, company, today):
        """Posted customer invoices and their payments, in date order so that the invoice
        and payment numbers follow the dates."""
        journal = self._demo_receipts_journal(company)
        salesperson = self.env.ref("credit_management.demo_user_salesperson")
        invoice_vals, plans = [], []
        for ledger in LEDGERS:
            partner = self._demo_file(ledger.customer).partner_id
            product = self.env.ref(f"product.{ledger.product}")
            age, index = ledger.first, 0
            while age >= ledger.last:
                invoice_date = today - timedelta(days=age)
                due = invoice_date + timedelta(days=ledger.term)
                amount = ledger.amounts[index % len(ledger.amounts)]
                invoice_vals.append(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_user_id": salesperson.id,
                        "invoice_date": invoice_date,
                        "invoice_date_due": due,
                        "invoice_line_ids": [
                            fields.Command.create(
                                {
                                    "product_id": product.id,
                                    "quantity": max(1, round(amount / product.lst_price)),
                                    "price_unit": product.lst_price,
                                    "tax_ids": [fields.Command.clear()],
                                }
                            )
                        ],
                    }
                )
                plans.append(
                    [
                        (due + timedelta(days=days), share)
                        for days, share in ledger.pay(index, (today - due).days)
                        if due + timedelta(days=days) <= today
                    ]
                )
                age -= ledger.step
                index += 1
        invoices = self.env["account.move"].create(invoice_vals)
        invoices.action_post()
        payment_vals, paid_invoices = [], []
        for invoice, plan in zip(invoices, plans, strict=True):
            left = invoice.amount_total
            for date, share in plan:
                amount = min(left, invoice.currency_id.round(invoice.amount_total * share))
                left -= amount
                payment_vals.append(
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": invoice.commercial_partner_id.id,
                        "journal_id": journal.id,
                        "date": date,
                        "amount": amount,
                        "memo": invoice.name,
                        "invoice_ids": [fields.Command.link(invoice.id)],
                    }
                )
                paid_invoices.append(invoice)
        # the payments the Register Payment wizard makes (linked to the invoice, reconciled
        # with it), created in one batch: the wizard, one payment at a time, is three times
        # slower, and batch posting numbers them in date order
        payments = self.env["account.payment"].create(payment_vals)
        payments.action_post()
        payments.action_validate()  # received on the bank account: nothing left to match
        to_match = {}
        for payment, invoice in zip(payments, paid_invoices, strict=True):
            to_match.setdefault(invoice, self._receivable_lines(invoice))
            to_match[invoice] |= self._receivable_lines(payment.move_id)
        # each invoice with its own payments, all in one batch
        self.env["account.move.line"]._reconcile_plan(list(to_match.values()))

    def _receivable_lines(self, move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def _demo_receipts_journal(self, company):
        """A bank journal whose incoming payments are posted straight to the bank account.
        Odoo 18 only creates the journal entry of a payment (and so reconciles it with the
        invoice, which the payment behaviour is read from) when its payment method has an
        outstanding or bank account; the demo's own bank journal has none."""
        Journal = self.env["account.journal"]
        journal = Journal.search([("code", "=", "RCPT"), ("company_id", "=", company.id)], limit=1)
        if not journal:
            journal = Journal.create(
                {
                    "name": "Customer Receipts",
                    "code": "RCPT",
                    "type": "bank",
                    "company_id": company.id,
                }
            )
            journal.inbound_payment_method_line_ids.payment_account_id = journal.default_account_id
        return journal

    # ------------------------------------------------------------------
    # reviews, limits
    # ------------------------------------------------------------------
    def _build_ratings(self, today):
        """Reviews computed and decided by the demo officer, as the officer would."""
        officer = self.env.ref("credit_management.demo_user_officer")
        Review = self.env["credit.review"].with_user(officer)
        for rating in RATINGS:
            file = self._demo_file(rating.customer)
            if rating.earlier:
                earlier = Review.create(
                    {"file_id": file.id, "date": today - timedelta(days=rating.earlier)}
                )
                earlier.action_compute()
                earlier.action_approve()
            review = Review.create({"file_id": file.id})
            review.action_compute()
            if rating.pending:
                review._notify_officer(f"Monthly re-rating of {file.partner_id.name}")
                continue
            if rating.adjust:
                review.write({**rating.adjust, "adjust_reason": rating.reason})
            review.action_approve()

    def _build_limit_requests(self, today):
        """A salesperson's request waiting for the officer, and a temporary limit the
        officer approved."""
        salesperson = self.env.ref("credit_management.demo_user_salesperson")
        officer = self.env.ref("credit_management.demo_user_officer")
        Request = self.env["credit.limit.request"].with_user(salesperson)
        Request.create(
            {
                "partner_id": self._demo_file("xinyuan").partner_id.id,
                "amount": 120000.0,
                "reason": "Their fourth hotel opens next spring: furniture for 140 rooms, "
                "ordered in three lots over the next four months.",
            }
        )
        temporary = Request.create(
            {
                "partner_id": self._demo_file("huaxin").partner_id.id,
                "amount": 360000.0,
                "temporary": True,
                "date_end": today + timedelta(days=45),
                "reason": "Stock-up before the Spring Festival: two extra containers in the "
                "next six weeks, paid on the usual 60-day terms.",
            }
        )
        temporary = temporary.with_user(officer)
        temporary.decision_note = "Approved for the season; back to the rated limit afterwards."
        temporary.action_approve()

    # ------------------------------------------------------------------
    # orders through the credit gate
    def _build_orders(self):
        """Quotations the demo salesperson confirms through the credit gate: one passes,
        two end on credit hold (a customer over its limit, one whose grade sells for cash
        only), so the officer's queue shows real cases."""
        salesperson = self.env.ref("credit_management.demo_user_salesperson")
        product = self.env["product.product"].create(
            {"name": "Office furniture set", "list_price": 12000.0, "type": "consu"}
        )
        stories = (("huaxin", 5), ("jinhai", 14), ("redwood", 1))
        Order = self.env["sale.order"].with_user(salesperson).sudo()
        for customer, sets in stories:
            order = Order.create(
                {
                    "partner_id": self._demo_file(customer).partner_id.id,
                    "user_id": salesperson.id,
                    "order_line": [
                        fields.Command.create(
                            {"product_id": product.id, "product_uom_qty": sets, "tax_id": False}
                        )
                    ],
                }
            )
            order.with_user(salesperson).action_confirm()
