import dataclasses
from collections import defaultdict
from decimal import Decimal

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..credit_management import checks as core_checks
from ..credit_management import terms as core_terms
from .credit_info_mixin import CREDIT_INFO_FIELDS

CREDIT_GATE_PASSED = "credit_management.gate_passed"
"""Key of the ids of the orders being confirmed after passing the credit gate, kept in the
transaction (``cr.precommit.data``) where no caller can put them through a context."""


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

    @api.depends("credit_hold_ids.state")
    def _compute_credit_hold_state(self):
        for order in self:
            last = order.credit_hold_ids.filtered(lambda h: h.state != "cancelled")[:1]
            order.credit_hold_state = last.state if last else False

    @api.depends("company_id", "partner_id", "amount_total")
    def _compute_partner_credit_warning(self):
        """Odoo's yellow credit banner, told with the credit file's numbers for rated
        customers (limit in force, exposure as the credit checks count it), so the banner
        and the credit hold never show two different figures."""
        super()._compute_partner_credit_warning()
        quotations = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id)
        if not quotations:
            return
        File = self.env["credit.file"].sudo()
        files = {
            (f.company_id.id, f.partner_id.id): f
            for f in File.search(
                [
                    ("partner_id", "in", quotations.partner_id.commercial_partner_id.ids),
                    ("company_id", "in", quotations.company_id.ids),
                    ("grade_id", "!=", False),
                ]
            )
        }
        rated = quotations.filtered(
            lambda o: (o.company_id.id, o.partner_id.commercial_partner_id.id) in files
        )
        if not rated:
            return
        exposures = File._exposure_by_partner(
            {(o.company_id.id, o.partner_id.commercial_partner_id.id) for o in rated},
            exclude_orders=rated.ids,
        )
        Policy = self.env["credit.policy"].sudo()
        for order in rated:
            key = (order.company_id.id, order.partner_id.commercial_partner_id.id)
            file = files[key]
            company = order.company_id
            exposure = float(Policy._for_company(company)._exposure_total(exposures[key]))
            amount = order.currency_id._convert(
                order.amount_total, company.currency_id, company, order.date_order
            )
            after = exposure + amount
            if (
                file.unlimited
                or company.currency_id.compare_amounts(after, file.effective_limit) <= 0
            ):
                order.partner_credit_warning = ""
                continue
            order.partner_credit_warning = _(
                "%(customer)s: exposure with this order %(after)s is above the credit limit in "
                "force of %(limit)s. Confirming will put the order on credit hold.",
                customer=file.partner_id.name,
                after=company.currency_id.format(after),
                limit=company.currency_id.format(file.effective_limit),
            )

    def action_confirm(self):
        held = self._credit_gate()
        passing = self - held
        result = True
        if passing:
            # only the orders that passed the gate here may be written to "sale" (see write)
            passed = self.env.cr.precommit.data.setdefault(CREDIT_GATE_PASSED, set())
            passed.update(passing.ids)
            try:
                result = super(SaleOrder, passing).action_confirm()
            finally:
                passed.difference_update(passing.ids)
        if held and not passing:
            return held._credit_hold_notification()
        return result

    def _credit_may_write_confirmed(self):
        """Only system administrators may create or write confirmed orders directly, e.g. to
        import the order history when the company starts with Odoo; everyone else,
        salespeople first, goes through ``action_confirm`` and its credit gate."""
        return self.env.user.has_group("base.group_system")

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        if not self._credit_may_write_confirmed() and any(o.state == "sale" for o in orders):
            raise UserError(
                _(
                    "Create the order as a quotation and confirm it: confirming runs the "
                    "credit checks."
                )
            )
        return orders

    def write(self, vals):
        """Writing the state "sale" directly (e.g. over RPC) would skip the credit gate:
        only orders confirmed through ``action_confirm`` that passed it may get it."""
        if vals.get("state") == "sale" and not self._credit_may_write_confirmed():
            passed = self.env.cr.precommit.data.get(CREDIT_GATE_PASSED, set())
            if any(o.state in ("draft", "sent") and o.id not in passed for o in self):
                raise UserError(
                    _("Confirm the order with its Confirm button: it runs the credit checks.")
                )
        return super().write(vals)

    def _credit_gate(self):
        """Run the credit checks on the orders being confirmed; hold those that fail and
        return them. Checks are serialised per customer: the commercial partners' rows are
        locked for the rest of the transaction, so two users confirming orders for the same
        customer at the same moment cannot both use the same remaining credit."""
        orders = self.filtered(lambda o: o.state in ("draft", "sent"))
        if not orders:
            return self.browse()
        partners = orders.partner_id.commercial_partner_id
        # members of a credit group share its limit: their confirmations are serialised on
        # the group head too
        grouped = (
            self.env["credit.file"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "in", orders.company_id.ids),
                    "|",
                    ("is_credit_group", "=", True),
                    ("group_file_id", "!=", False),
                ]
            )
        )
        for file in grouped:
            partners |= file._credit_group().partner_id
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                sorted(partners.ids),
            )
        )
        # A lock alone is not enough: a concurrent confirmation whose snapshot was taken
        # before this transaction commits would get the lock afterwards and still not see
        # this order. Touching the rows makes it fail with a serialization error instead,
        # and Odoo retries it with a fresh snapshot that counts this order.
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = write_date WHERE id = ANY(%s)",
                sorted(partners.ids),
            )
        )
        facts = orders._credit_facts()
        # what the orders passed so far in this batch add, per customer and credit group
        added = defaultdict(Decimal)
        added_to_group = defaultdict(Decimal)
        held = self.browse()
        Hold = self.env["credit.hold"].sudo()
        for order in orders:
            order_facts, settings, amount, group = facts[order.id]
            key = (order.company_id.id, order.partner_id.commercial_partner_id.id)
            if Hold._covers(order, float(order_facts.order_amount)):
                failures = ()
            else:
                order_facts = dataclasses.replace(
                    order_facts,
                    exposure=order_facts.exposure + added[key],
                    group_exposure=order_facts.group_exposure + added_to_group[group],
                )
                failures = core_checks.evaluate(order_facts, settings)
            if failures:
                held |= order
                order._credit_hold(order_facts, failures)
            else:
                added[key] += order_facts.order_amount
                if group:
                    added_to_group[group] += order_facts.order_amount
                order.sudo().credit_checked_amount = float(amount)
        return held

    def _credit_immediate_payment(self):
        """Paid at or before delivery: prepaid through payment transactions, or sold with an
        explicit immediate payment term (every line due after 0 days). An empty payment term
        does not count, so clearing it cannot bypass the grade policy."""
        self.ensure_one()
        if self.currency_id.compare_amounts(self.amount_paid, self.amount_total) >= 0:
            return True
        term = self.payment_term_id
        return bool(term) and all(line.nb_days == 0 for line in term.line_ids)

    def _credit_facts(self):
        """{order id: (CheckFacts, CheckSettings, amount in company currency, id of the
        customer's credit group head or False)}. One exposure query for the customers and
        the members of their credit groups."""
        today = fields.Date.context_today(self)
        Policy = self.env["credit.policy"].sudo()
        File = self.env["credit.file"].sudo()
        files = {
            order.id: File._get_for_partner(
                order.partner_id.commercial_partner_id, order.company_id, create=False
            )
            for order in self
        }
        groups = File.union(*files.values())._credit_group_pairs()
        pairs = {(o.company_id.id, o.partner_id.commercial_partner_id.id) for o in self}
        pairs.update(pair for members in groups.values() for pair in members)
        exposures = self.env["credit.file"]._exposure_by_partner(pairs, exclude_orders=self.ids)
        result = {}
        for order in self:
            company = order.company_id
            commercial = order.partner_id.commercial_partner_id
            policy = Policy._for_company(company)
            file = files[order.id]
            grade = file.grade_id
            exposure = exposures[(company.id, commercial.id)]
            group = file._credit_group() if file else File
            group_exposure = sum(
                (policy._exposure_total(exposures[pair]) for pair in groups.get(group.id, ())),
                Decimal(0),
            )
            to_pay = order.amount_total - min(order.amount_paid, order.amount_total)
            amount = order.currency_id._convert(
                to_pay, company.currency_id, company, order.date_order or today
            )
            total = order.currency_id._convert(
                order.amount_total, company.currency_id, company, order.date_order or today
            )
            facts = core_checks.CheckFacts(
                order_amount=str(amount),
                exposure=str(policy._exposure_total(exposure)),
                limit=str(file.effective_limit if file else 0.0),
                unlimited=bool(file and file.unlimited),
                overdue_amount=str(exposure["overdue_amount"]),
                oldest_overdue_days=int(exposure["oldest_overdue_days"]),
                sales_mode=grade.sales_mode if grade else core_terms.SALES_MODE_PREPAYMENT,
                immediate_payment=order._credit_immediate_payment(),
                valid_until=file.valid_until or None,
                today=today,
                on_hold=bool(file and file.on_hold),
                max_document_amount=str(grade.max_document_amount if grade else 0.0),
                group_limit=str(group.group_limit) if group else None,
                group_exposure=group_exposure,
            )
            settings = core_checks.CheckSettings(
                enabled=policy._enabled_rules(),
                overdue_tolerance=str(grade.overdue_tolerance if grade else 0.0),
                overdue_max_days=grade.overdue_max_days if grade else 0,
            )
            result[order.id] = (facts, settings, total, group.id)
        return result

    def _credit_hold(self, facts, failures):
        """Hold this order: a persistent hold with the failed rules and the figures, a
        message on the order, an activity for the credit officer."""
        self.ensure_one()
        Hold = self.env["credit.hold"].sudo()
        Hold.search([("order_id", "=", self.id), ("state", "=", "pending")]).write(
            {"state": "cancelled"}
        )
        company = self.company_id
        file = (
            self.env["credit.file"]
            .sudo()
            ._get_for_partner(self.partner_id.commercial_partner_id, company, create=False)
        )
        reasons = Hold._failure_messages(failures, company.currency_id)
        hold = Hold.create(
            {
                "order_id": self.id,
                "partner_id": self.partner_id.commercial_partner_id.id,
                "company_id": company.id,
                "requester_id": self.user_id.id or self.env.uid,
                "grade_id": file.grade_id.id,
                "order_amount": float(facts.order_amount),
                "exposure": float(facts.exposure),
                "credit_limit": float(facts.limit),
                "overdue_amount": float(facts.overdue_amount),
                "oldest_overdue_days": facts.oldest_overdue_days,
                "failures": [
                    {"rule": f.rule, "values": {k: str(v) for k, v in f.values.items()}}
                    for f in failures
                ],
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
            f"{order.name}: " + "; ".join(order.credit_hold_ids[:1].reasons.splitlines())
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
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
