import dataclasses
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from markupsafe import Markup

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..credit_management import terms as core_terms
from .credit_decision_mixin import audit_writer, audit_writer_open
from .credit_info_mixin import CREDIT_INFO_FIELDS

CREDIT_ORDERS_TOUCHED = "credit_management.orders_touched"
"""Key, in ``cr.precommit.data``, of the ids of the orders created or changed in the
transaction: before it commits, each of them that is confirmed must still be covered."""

COMPUTED_MONEY_FIELDS = frozenset(
    {"amount_total", "amount_untaxed", "amount_tax", "currency_rate", "credit_hold_state"}
)
"""Computed order fields the exposure and the gate read: only Odoo's computations set them
(a direct write would change what the order seems to owe)."""

COVER_FIELDS = frozenset(
    {
        "credit_cover_source",
        "credit_cover_partner_id",
        "credit_cover_company_id",
        "credit_cover_currency_id",
        "credit_cover_total",
        "credit_checked_amount",
    }
)
"""What covers a confirmed order: written by the credit gate only."""

CUSTOMER_CREDIT_STATUSES = ("pending", "rejected")
"""The credit hold states a customer is told about (a quotation only): the officer is still
deciding, or has refused the credit."""

_GATE_PASSED = {}
"""{id of a transaction: ids of the orders being confirmed after passing the credit gate}.
Held in the server's memory for the transaction, where no caller can put an id (a context
key or a field would not do)."""


@contextmanager
def _gate_passed(env, ids):
    key = id(env.transaction)
    passed = _GATE_PASSED.setdefault(key, set())
    added = set(ids) - passed
    passed.update(added)
    try:
        yield
    finally:
        passed.difference_update(added)
        if not passed:
            _GATE_PASSED.pop(key, None)


class SaleOrder(models.Model):
    """Credit information on the quotation, and the credit gate on ``action_confirm``:
    every confirmation path (backend button, batch confirm, portal sign & accept, payment
    transactions, website checkout, other modules, RPC) goes through it. Orders that pass
    are confirmed; orders that fail stay quotations with a credit hold waiting for a credit
    officer."""

    _name = "sale.order"
    _inherit = ["sale.order", "credit.info.mixin"]

    @api.depends("partner_id", "company_id")
    def _compute_credit_info(self):
        """What the salesperson must see before promising terms, from the customer's credit
        file in the order's company."""
        for order in self:
            partner = order.partner_id.with_company(order.company_id)
            for name in CREDIT_INFO_FIELDS:
                order[name] = partner[name]

    credit_hold_ids = fields.One2many("credit.hold", "order_id", string="Credit Holds")
    credit_hold_state = fields.Selection(
        [
            ("pending", "Credit hold"),
            ("approved", "Credit approved"),
            ("rejected", "Credit rejected"),
        ],
        compute="_compute_credit_hold_state",
        store=True,
        index=True,
        string="Credit Status",
    )
    credit_company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Credit Company Currency"
    )
    credit_checked_amount = fields.Monetary(
        currency_field="credit_company_currency_id",
        readonly=True,
        copy=False,
        help="Order amount (company currency) that passed the credit checks or was approved.",
    )
    # What covers the confirmed order (the credit gate's invariant): a passing check or an
    # officer's approval, bound to the customer, company, currency and total it was given for.
    credit_cover_source = fields.Selection(
        [
            ("check", "Credit checks passed"),
            ("approval", "Approved by a credit officer"),
            ("import", "Entered as confirmed by an administrator"),
            ("install", "Confirmed before credit control was installed"),
        ],
        string="Credit Cover",
        readonly=True,
        copy=False,
    )
    credit_cover_partner_id = fields.Many2one(
        "res.partner", string="Covered Customer", readonly=True, copy=False
    )
    credit_cover_company_id = fields.Many2one(
        "res.company", string="Covered Company", readonly=True, copy=False
    )
    credit_cover_currency_id = fields.Many2one(
        "res.currency", string="Covered Currency", readonly=True, copy=False
    )
    credit_cover_total = fields.Monetary(
        currency_field="credit_cover_currency_id",
        string="Covered Total",
        readonly=True,
        copy=False,
        help="The order total the credit checks or the officer's approval cover, in the "
        "order's currency. A confirmed order changed beyond it, or given to another customer, "
        "company or currency, goes through the credit checks again.",
    )

    def _compute_amounts(self):
        """Whatever changes an order's total (its lines, taxes, a pricelist), the order is
        checked before the transaction commits (see ``_credit_touch``)."""
        result = super()._compute_amounts()
        self.filtered("id")._credit_touch()
        return result

    @api.depends("credit_hold_ids.state")
    def _compute_credit_hold_state(self):
        for order in self:
            last = order.credit_hold_ids.filtered(lambda h: h.state not in ("cancelled", "voided"))[
                :1
            ]
            order.credit_hold_state = last.state if last else False

    @api.depends(
        "company_id",
        "partner_id",
        "amount_total",
        "currency_id",
        "payment_term_id",
        "date_order",
        "credit_hold_state",
    )
    def _compute_partner_credit_warning(self):
        """Odoo's yellow credit banner, as a dry run of the credit gate: the quotation shows
        exactly the rules confirming it now would fail, with the same figures and messages
        as the credit hold would (nothing is locked or written). A quotation already held
        says it waits for a credit officer."""
        super()._compute_partner_credit_warning()
        quotations = self.filtered(
            lambda o: o.state in ("draft", "sent") and o.partner_id and o.company_id
        )
        if not quotations:
            return
        Hold = self.env["credit.hold"].sudo()
        for order, facts, failures, _approval in quotations._credit_evaluate(batch=False):
            if not failures:
                order.partner_credit_warning = ""
                continue
            reasons = "\n".join(
                Hold._failure_messages(failures, order.company_id.currency_id)
                + order._credit_secured_note(facts)
            )
            customer = order.partner_id.commercial_partner_id.name
            if order.credit_hold_state == "pending":
                order.partner_credit_warning = _(
                    "This order is on credit hold for %(customer)s and waits for a credit "
                    "officer:\n%(reasons)s",
                    customer=customer,
                    reasons=reasons,
                )
            else:
                order.partner_credit_warning = _(
                    "Confirming will put the order on credit hold for %(customer)s:\n%(reasons)s",
                    customer=customer,
                    reasons=reasons,
                )

    credit_awaits_officer = fields.Boolean(
        compute="_compute_credit_awaits_officer",
        string="Awaits a Credit Officer",
        help="The quotation is on credit hold and confirming it now would fail the same "
        "checks: a credit officer decides, the Confirm buttons are not offered.",
    )

    @api.depends("state", "credit_hold_state", "partner_credit_warning")
    def _compute_credit_awaits_officer(self):
        """A held quotation whose dry run still fails (the banner says so): confirming
        would only hold it again. One that now passes (the customer paid) may be confirmed."""
        for order in self:
            order.credit_awaits_officer = (
                order.state in ("draft", "sent")
                and order.credit_hold_state == "pending"
                and bool(order.partner_credit_warning)
            )

    def action_view_credit_hold(self):
        """The quotation's pending credit hold, where a credit officer decides."""
        self.ensure_one()
        hold = self.credit_hold_ids.filtered(lambda h: h.state == "pending")[:1]
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.hold",
            "res_id": hold.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _credit_secured_note(self, facts):
        """[the sentence telling the secured and unsecured parts of the exposure] when the
        customer has securities in force, else []."""
        if not facts.security_cover:
            return []
        split = facts.secured_split
        currency = self.company_id.currency_id
        return [
            _(
                "Exposure %(exposure)s: %(secured)s secured by guarantees, insurance, "
                "collateral or letters of credit, %(unsecured)s unsecured.",
                exposure=currency.format(float(split.exposure)),
                secured=currency.format(float(split.secured)),
                unsecured=currency.format(float(split.unsecured)),
            )
        ]

    def action_confirm(self):
        held = self._credit_gate()
        passing = self - held
        result = True
        if passing:
            # only the orders that passed the gate here may be written to "sale" (see write)
            with _gate_passed(self.env, passing.ids):
                result = super(SaleOrder, passing).action_confirm()
        if held and not passing:
            return held._credit_hold_notification()
        return result

    def _action_confirm(self):
        """What confirming does after the state is written (procurements, deliveries,
        subscriptions in other modules) runs for covered confirmed orders only: a module
        calling it on a quotation, or on an order no longer covered, would deliver on credit
        nobody granted."""
        if any(order.state != "sale" for order in self):
            raise UserError(
                _("Confirm the order with its Confirm button: it runs the credit checks.")
            )
        self._credit_enforce()
        return super()._action_confirm()

    def _credit_may_write_confirmed(self):
        """Only system administrators may create or write confirmed orders directly, e.g. to
        import the order history when the company starts with Odoo; the order is then
        covered by that administrator's entry, as the chatter says. Everyone else,
        salespeople first, goes through ``action_confirm`` and its credit gate."""
        return self.env.user.has_group("base.group_system")

    @api.model_create_multi
    def create(self, vals_list):
        if any(COVER_FIELDS & vals.keys() for vals in vals_list) and not audit_writer_open(
            self.env
        ):
            raise AccessError(_("Only the credit checks record what covers an order."))
        orders = super().create(vals_list)
        confirmed = orders.filtered(lambda o: o.state == "sale")
        if confirmed:
            if not self._credit_may_write_confirmed():
                raise UserError(
                    _(
                        "Create the order as a quotation and confirm it: confirming runs the "
                        "credit checks."
                    )
                )
            confirmed._credit_cover_by_administrator()
        orders._credit_touch()
        return orders

    def write(self, vals):
        """The credit gate's invariant, where the data changes: an order reaches "sale"
        only through ``action_confirm`` (having passed the gate or been approved); what
        covers it is written by the gate only; leaving "sale" or changing the customer
        uses up the order's approvals; and a confirmed order changed beyond what covers it
        (total, customer, company, currency) goes through the gate again (see
        ``_credit_enforce``)."""
        if COVER_FIELDS & vals.keys() and not audit_writer_open(self.env):
            raise AccessError(_("Only the credit checks record what covers an order."))
        if COMPUTED_MONEY_FIELDS & vals.keys() and not self.env.su:
            raise AccessError(
                _("The order's totals and credit status are computed: change its lines instead.")
            )
        imported = self.browse()
        if vals.get("state") == "sale":
            passed = _GATE_PASSED.get(id(self.env.transaction), ())
            entering = self.filtered(lambda o: o.state != "sale" and o.id not in passed)
            if entering:
                if not self._credit_may_write_confirmed():
                    raise UserError(
                        _("Confirm the order with its Confirm button: it runs the credit checks.")
                    )
                imported = entering
        voided = {}
        if "state" in vals and vals["state"] != "sale":
            reason = _("The order was cancelled or set back to quotation.")
            for order in self:
                voided[order] = reason
        if vals.get("partner_id"):
            customer = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id
            reason = _("The order was given to another customer.")
            for order in self:
                if order.partner_id.commercial_partner_id != customer:
                    voided.setdefault(order, reason)
        term_days = {}
        if "payment_term_id" in vals:
            term_days = {o: o._credit_term_days() for o in self if o.state == "sale"}
        result = super().write(vals)
        if term_days:
            self._credit_enforce_term(term_days)
        for order, reason in voided.items():
            order.credit_hold_ids.sudo()._void(reason)
        left = self.browse()
        if "state" in vals and vals["state"] != "sale":
            left = self.filtered("credit_cover_source")
        if left:
            with audit_writer(self.env):
                left.sudo().write(dict.fromkeys(COVER_FIELDS, False))
        if imported:
            imported._credit_cover_by_administrator()
        self._credit_touch()
        self._credit_enforce()
        return result

    def _credit_enforce_term(self, term_days):
        """A confirmed order given a longer payment term goes through the gate again (the
        credit term rule among the others): ``term_days`` holds each order's days before
        the change. Passing, it is covered anew; failing, the change is refused."""
        longer = self.browse(
            [order.id for order, days in term_days.items() if order._credit_term_days() > days]
        )
        refused = longer._credit_gate(confirmed=True) if longer else []
        if refused:
            raise UserError(
                _(
                    "The credit checks do not cover this change of a confirmed order:\n%(reasons)s",
                    reasons="\n".join(refused),
                )
            )

    def _credit_cover_by_administrator(self):
        """A system administrator entered these orders as confirmed: they are covered by
        that entry (bound like any cover), which the chatter keeps."""
        for order in self:
            order._credit_record_cover("import")
            order.sudo().message_post(
                body=_(
                    "Entered as confirmed by %(user)s without the credit checks.",
                    user=self.env.user.name,
                )
            )

    def _credit_record_cover(self, source):
        """Bind what covers this order to its customer, company, currency and total now."""
        self.ensure_one()
        company = self.company_id
        total = self.currency_id._convert(
            self.amount_total,
            company.currency_id,
            company,
            self.date_order or fields.Date.context_today(self),
        )
        with audit_writer(self.env):
            self.sudo().write(
                {
                    "credit_cover_source": source,
                    "credit_cover_partner_id": self.partner_id.commercial_partner_id.id,
                    "credit_cover_company_id": company.id,
                    "credit_cover_currency_id": self.currency_id.id,
                    "credit_cover_total": self.amount_total,
                    "credit_checked_amount": total,
                }
            )

    @api.model
    def _credit_cover_existing_orders(self):
        """Orders confirmed before credit control was installed (or before this version)
        are covered as they are: the invariant holds from the first day; any later change
        goes through the gate."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE sale_order so
               SET credit_cover_source = 'install',
                   credit_cover_partner_id = p.commercial_partner_id,
                   credit_cover_company_id = so.company_id,
                   credit_cover_currency_id = so.currency_id,
                   credit_cover_total = so.amount_total,
                   credit_checked_amount =
                       so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1)
              FROM res_partner p
             WHERE p.id = so.partner_id
               AND so.state = 'sale'
               AND so.credit_cover_source IS NULL
            """
        )
        self.invalidate_model(list(COVER_FIELDS))
        return True

    # ------------------------------------------------------------------
    # the invariant
    # ------------------------------------------------------------------
    def _credit_touch(self):
        """Remember these orders for the check before the transaction commits."""
        if not self:
            return
        data = self.env.cr.precommit.data
        touched = data.get(CREDIT_ORDERS_TOUCHED)
        if touched is None:
            touched = data[CREDIT_ORDERS_TOUCHED] = set()
            # checked as the system, whoever touched the orders first (a portal user's cart,
            # an accountant's invoice), in that user's language
            orders = self.env["sale.order"].sudo()
            self.env.cr.precommit.add(lambda: orders._credit_enforce_touched())
        touched.update(self.ids)

    @api.model
    def _credit_enforce_touched(self):
        """Before the transaction commits (``cr.precommit``, whatever path changed the orders:
        ORM, RPC, other modules, lines, taxes, pricelists): every confirmed order among
        those changed is covered, or goes through the gate again, or the commit fails."""
        ids = self.env.cr.precommit.data.pop(CREDIT_ORDERS_TOUCHED, set())
        orders = self.browse(ids).exists()
        if orders:
            orders._credit_enforce(release=True)
            self.env.flush_all()

    def _credit_uncovered(self):
        """The confirmed orders among these that what covers them no longer covers: another
        customer (commercial partner), company or currency, or a total above the covered
        one. One SQL query on the stored values."""
        confirmed = self.filtered(lambda o: o.state == "sale")
        if not confirmed:
            return self.browse()
        self.env["sale.order"].flush_model(
            ["state", "partner_id", "company_id", "currency_id", "amount_total", *COVER_FIELDS]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT so.id
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.id = ANY(%s)
                   AND so.state = 'sale'
                   AND (so.credit_cover_source IS NULL
                        OR so.credit_cover_partner_id IS DISTINCT FROM p.commercial_partner_id
                        OR so.credit_cover_company_id IS DISTINCT FROM so.company_id
                        OR so.credit_cover_currency_id IS DISTINCT FROM so.currency_id
                        OR so.amount_total > COALESCE(so.credit_cover_total, 0) + 0.000001)
                """,
                confirmed.ids,
            )
        )
        return self.browse([row[0] for row in rows])

    def _credit_enforce(self, release=False):
        """Confirmed orders no longer covered go through the credit gate again, as a
        confirmation would: passing, they are covered at their new figures; failing (or
        approved for less), the change is refused with the rules and figures. With
        ``release``, a total lowered below the covered one lowers the cover too, so credit
        given back cannot be taken again later without a check."""
        uncovered = self._credit_uncovered()
        if uncovered:
            refused = uncovered._credit_gate(confirmed=True)
            if refused:
                raise UserError(
                    _(
                        "The credit checks do not cover this change of a confirmed order:\n"
                        "%(reasons)s\nA credit officer can raise the limit, or sell the "
                        "difference on a new quotation.",
                        reasons="\n".join(refused),
                    )
                )
        if release:
            lowered = self.filtered(
                lambda o: (
                    o.state == "sale"
                    and o.credit_cover_source
                    and o.currency_id.compare_amounts(o.amount_total, o.credit_cover_total) < 0
                )
            )
            for order in lowered:
                order._credit_record_cover(order.credit_cover_source)

    def _credit_gate(self, confirmed=False):
        """Run the credit checks on the orders being confirmed; hold those that fail and
        return them. Passing orders (or those an officer approved as they are) are covered
        (see ``_credit_record_cover``). Checks are serialised per customer: the commercial
        partners' rows are locked for the rest of the transaction, so two users confirming
        orders for the same customer at the same moment cannot both use the same remaining
        credit.

        With ``confirmed``, the orders are confirmed ones changed beyond what covers them:
        the same checks on what they still add to the exposure (their uninvoiced
        remainder); passing ones are covered anew, and the failure messages of the others
        are returned, for the change to be refused (no hold: the order is confirmed).

        The customers are locked with ``credit.exposure._lock_customers``."""
        states = ("sale",) if confirmed else ("draft", "sent")
        orders = self.filtered(lambda o: o.state in states)
        if not orders:
            return [] if confirmed else self.browse()
        partners = orders.partner_id.commercial_partner_id
        files = (
            self.env["credit.file"]
            .sudo()
            ._files_by_pair(
                (o.company_id.id, o.partner_id.commercial_partner_id.id) for o in orders
            )
        )
        # members of a credit group share its limit: their confirmations are serialised on
        # the group head too
        for file in files.values():
            partners |= file._credit_group().partner_id
        self.env["credit.exposure"]._lock_customers(partners.ids)
        held = self.browse()
        refused = []
        Hold = self.env["credit.hold"].sudo()
        for order, order_facts, failures, approval in orders._credit_evaluate(files=files):
            if failures and confirmed:
                reasons = Hold._failure_messages(failures, order.company_id.currency_id)
                refused.append(f"{order.name}: " + " ".join(reasons))
            elif failures:
                held |= order
                order._credit_hold(order_facts, failures)
            else:
                order._credit_record_cover("approval" if approval else "check")
        return refused if confirmed else held

    def _credit_immediate_payment(self):
        """Paid at or before delivery: prepaid through payment transactions, or sold with an
        explicit immediate payment term (every installment due on the invoice date at the
        latest: 0 days after the end of the month is not immediate). An empty payment term
        does not count, so clearing it cannot bypass the grade policy."""
        self.ensure_one()
        if self.currency_id.compare_amounts(self.amount_paid, self.amount_total) >= 0:
            return True
        return bool(self.payment_term_id) and self._credit_term_days() == 0

    def _credit_term_days(self):
        """The days the order's payment term gives the customer, checked against its granted
        credit term: its last installment at the latest it can fall due after the invoice
        date (end-of-month terms at their longest, ``credit_management.terms``). Without a
        payment term the invoice is due on its date: 0 days."""
        self.ensure_one()
        return core_terms.latest_due_days(
            core_terms.Installment(
                line.nb_days,
                line.delay_type,
                int(line.days_next_month) if (line.days_next_month or "").isdigit() else 1,
            )
            for line in self.payment_term_id.line_ids
        )

    def _credit_evaluate(self, batch=True, files=None):
        """What the credit gate decides for each of these orders, without locking or writing
        anything: [(order, CheckFacts, failures, covering approval)], the failures empty for
        an order that passes or that an officer approved as it is. The facts and the rules
        come from the exposure engine and the rule registry (``credit.exposure``). With
        ``batch``, as when the orders are confirmed together: each order passing adds to the
        exposure the next ones of the same customer (and credit group) are judged on.

        The gate runs it after locking the customers; the quotation's banner runs it alone
        (a dry run), so the banner shows exactly what confirming would decide."""
        Exposure = self.env["credit.exposure"]
        Hold = self.env["credit.hold"].sudo()
        facts = Exposure._order_facts(self, files=files)
        # what the orders passed so far in this batch add, per customer and credit group
        added = defaultdict(Decimal)
        added_to_group = defaultdict(Decimal)
        verdicts = []
        for order in self:
            order_facts, settings, _amount, group = facts[order.id]
            key = (order.company_id.id, order.partner_id.commercial_partner_id.id)
            approval = Hold._covering(order)
            if approval:
                failures = ()
            else:
                order_facts = dataclasses.replace(
                    order_facts,
                    exposure=order_facts.exposure + added[key],
                    group_exposure=order_facts.group_exposure + added_to_group[group],
                )
                failures = Exposure._evaluate(order_facts, settings)
            if not failures and batch:
                added[key] += order_facts.order_amount
                if group:
                    added_to_group[group] += order_facts.order_amount
            verdicts.append((order, order_facts, failures, approval))
        return verdicts

    def _credit_hold(self, facts, failures):
        """Hold this order: a persistent hold with the failed rules and the figures, a
        message on the order, an activity for the credit officer."""
        self.ensure_one()
        Hold = self.env["credit.hold"].sudo()
        company = self.company_id
        file = (
            self.env["credit.file"]
            .sudo()
            ._get_for_partner(self.partner_id.commercial_partner_id, company, create=False)
        )
        reasons = Hold._failure_messages(failures, company.currency_id)
        with audit_writer(self.env):
            Hold.search([("order_id", "=", self.id), ("state", "=", "pending")]).write(
                {"state": "cancelled"}
            )
            hold = Hold.create(
                {
                    **Hold._check_values(
                        self.partner_id.commercial_partner_id,
                        company,
                        file.grade_id,
                        facts,
                        failures,
                    ),
                    "order_id": self.id,
                    "requester_id": self.user_id.id or self.env.uid,
                    "order_amount": float(facts.order_amount),
                    "order_currency_id": self.currency_id.id,
                    "order_total": self.amount_total,
                }
            )
        self.sudo().message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                _("Credit hold: the order waits for a credit officer."),
                Markup("").join(Markup("<li>%s</li>") % reason for reason in reasons),
            ),
            partner_ids=self.user_id.partner_id.ids,
        )
        hold._ask_officer(file, _("Credit hold on %(order)s", order=self.name), reasons)
        return hold

    def _credit_hold_notification(self):
        reasons = [
            # each reason is a sentence of its own
            f"{order.name}: " + " ".join(order.credit_hold_ids[:1].reasons.splitlines())
            for order in self
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Credit hold"),
                "message": _(
                    "Not confirmed; a credit officer has been asked to decide.\n%(reasons)s",
                    reasons="\n".join(reasons),
                ),
                "type": "danger",
                "sticky": True,
                # reloads the record the button was clicked on (a restore of the
                # controller, soft_reload, would open a new quotation when the order was
                # created from "New": the controller never learnt its id)
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # what the customer is told of a credit hold (portal, Odoo's order mails): that the
    # signed or paid order waits for credit approval, or could not be approved on credit;
    # never the rules it failed nor any figure (those are the salesperson's and officer's)
    # ------------------------------------------------------------------
    def _credit_customer_status(self):
        """``"pending"``, ``"rejected"`` or False: the credit hold state of a quotation the
        customer may be told about. A confirmed or cancelled order has nothing to tell, and
        a quotation the customer still has to pay waits for the payment, not for a credit
        officer: paying runs the credit checks again."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            return False
        status = self.sudo().credit_hold_state
        if status == "pending" and self._has_to_be_paid():
            return False
        return status if status in CUSTOMER_CREDIT_STATUSES else False

    def _credit_customer_notice(self):
        """The sentence telling the customer where the order stands on credit, in the
        language of the environment, or "" when there is nothing to tell."""
        status = self._credit_customer_status()
        if status == "pending":
            return _(
                "Your order is awaiting credit approval. We will confirm it as soon as it is "
                "approved."
            )
        if status == "rejected":
            return _(
                "Your order could not be approved on credit. Please contact your salesperson "
                "to find a solution."
            )
        return ""

    def _send_order_notification_mail(self, mail_template):
        """Odoo's mail (e.g. "payment received" for a paid quotation) with, above its text,
        the notice that the order awaits credit approval. The template is rendered as
        ``message_post_with_source`` renders it (a one-record composer in comment mode), with
        the notice put in the composer's body before sending."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        notice = self.with_context(lang=lang)._credit_customer_notice()
        if not mail_template or not notice:
            return super()._send_order_notification_mail(mail_template)
        order = self.with_user(SUPERUSER_ID) if self.env.su else self
        composer = (
            order.env["mail.compose.message"]
            .with_context(
                force_send=True,
                default_composition_mode="comment",
                default_model=order._name,
                default_res_ids=order.ids,
                default_template_id=mail_template.id,
            )
            .create(
                {
                    "message_type": "notification",
                    "subtype_id": order.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
                    "email_layout_xmlid": (
                        "mail.mail_notification_layout_with_responsible_signature"
                    ),
                }
            )
        )
        notice_html = Markup("<p><strong>%s</strong></p>") % notice
        composer.body = notice_html + Markup(composer.body or "")
        composer._action_send_mail()
