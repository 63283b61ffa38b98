from decimal import Decimal

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer


class PosOrder(models.Model):
    """Credit control at the point of sale. A sale on *Customer Account* (Odoo's
    ``pay_later`` payment methods) gives the customer credit like a confirmed sale order, so
    it is judged by the same rules on the same exposure (``credit.exposure``), with the
    order's pay-later amount as the order amount:

    - the till asks before it validates (``credit_pos_check``) and refuses with the failed
      rules and figures; cash and card payments give no credit and are never judged;
    - the server judges again where every order arrives (``sync_from_ui`` →
      ``_process_saved_order``), serialised per customer with the sale orders' lock. A till
      may sell offline and sync later: the order is never refused there (it would be lost),
      it is recorded and held for a credit officer (``credit.hold`` with ``pos_order_id``),
      and the cashier is told on that sync."""

    _inherit = "pos.order"

    credit_hold_ids = fields.One2many(
        "credit.hold",
        "pos_order_id",
        string="Credit Holds",
        groups="credit_management.group_credit_user",
    )
    credit_hold_state = fields.Selection(
        [
            ("pending", "Credit hold"),
            ("approved", "Credit accepted"),
            ("rejected", "Credit rejected"),
        ],
        compute="_compute_credit_hold_state",
        store=True,
        index="btree_not_null",
        string="Credit Status",
    )
    credit_hold_message = fields.Text(
        compute="_compute_credit_hold_message",
        compute_sudo=True,
        string="Credit Hold Reasons",
        help="Why the order waits for a credit officer, as the cashier is told.",
    )

    @api.depends("credit_hold_ids.state")
    def _compute_credit_hold_state(self):
        for order in self:
            last = order.credit_hold_ids.filtered(lambda h: h.state != "cancelled")[:1]
            order.credit_hold_state = last.state if last else False

    @api.depends("credit_hold_ids.state")
    @api.depends_context("lang")
    def _compute_credit_hold_message(self):
        for order in self:
            hold = order.credit_hold_ids.filtered(lambda h: h.state == "pending")[:1]
            order.credit_hold_message = hold.reasons if hold else False

    def init(self):
        """A customer's open point of sale orders, read by the exposure category."""
        res = super().init()
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS credit_management_pos_order_open_idx
                ON pos_order (partner_id, company_id)
             WHERE state = 'paid' AND account_move IS NULL
            """
        )
        return res

    # ------------------------------------------------------------------
    # the verdict
    # ------------------------------------------------------------------
    def _credit_pay_later_amount(self):
        """What the order leaves on the customer's account, in company currency: its
        payments with a *Customer Account* method, converted at the order's rate as the
        exposure category counts them."""
        self.ensure_one()
        amount = sum(
            payment.amount
            for payment in self.payment_ids
            if payment.payment_method_id.type == "pay_later"
        )
        return self.company_id.currency_id.round(amount / (self.currency_rate or 1.0))

    @api.model
    def _credit_pos_evaluate(self, company, partner, amount, counted=0.0):
        """(credit file, CheckFacts, failures, exposure entry) for selling ``amount``
        (company currency) on customer account to ``partner`` in ``company`` now: the order
        rules of the registry on the exposure, as a sale order of that amount without
        payment term would be judged. ``counted``: what of this amount the exposure already
        counts (the order being synced, already saved as paid), taken out of its point of
        sale category."""
        Exposure = self.env["credit.exposure"]
        File = self.env["credit.file"].sudo()
        commercial = partner.commercial_partner_id
        file = File._get_for_partner(commercial, company, create=False)
        groups = file._credit_group_pairs() if file else {}
        key = (company.id, commercial.id)
        pairs = {key} | {pair for members in groups.values() for pair in members}
        exposures = Exposure._exposure_by_partner(pairs)
        if counted:
            exposures[key] = dict(exposures[key], pos_orders=exposures[key]["pos_orders"] - counted)
        policy = self.env["credit.policy"].sudo()._for_company(company)
        grade = file.grade_id
        group = file._credit_group() if file else File
        group_exposure = sum(
            (
                Exposure._exposure_total(policy, exposures[pair])
                for pair in groups.get(group.id, ())
            ),
            Decimal(0),
        )
        facts = Exposure._customer_facts(
            file,
            policy,
            exposures[key],
            fields.Date.context_today(self),
            order_amount=str(amount),
            immediate_payment=False,
            term_days=0,
            max_document_amount=str(grade.max_document_amount if grade else 0.0),
            group_limit=str(group.group_limit) if group else None,
            group_exposure=group_exposure,
        )
        failures = Exposure._evaluate(facts, Exposure._check_settings(policy, grade))
        return file, facts, failures, exposures[key]

    @api.model
    def _credit_lock_customer(self, company, partner):
        """The sale orders' lock (``credit.exposure._lock_customers``): the customer, and
        its credit group head, locked for the rest of the transaction, so that a till or a
        salesperson checking the same customer at the same moment waits, then fails with a
        serialization error and is retried by Odoo with a snapshot that counts this sale."""
        commercial = partner.commercial_partner_id
        partners = commercial
        file = self.env["credit.file"].sudo()._get_for_partner(commercial, company, create=False)
        if file and (file.is_credit_group or file.group_file_id):
            partners |= file._credit_group().partner_id
        self.env["credit.exposure"]._lock_customers(partners.ids)

    # ------------------------------------------------------------------
    # the server: where the orders arrive
    # ------------------------------------------------------------------
    @api.model
    def _process_order(self, order, existing_order):
        """Lock the customer of a finished order paid (in part) on customer account before
        the order is written: the order's row references the customer's, and two tills
        each holding that reference while waiting for the other's lock would deadlock."""
        if order.get("state") != "draft" and order.get("partner_id"):
            methods = {
                command[2].get("payment_method_id")
                for command in order.get("payment_ids") or []
                if isinstance(command, (list, tuple))
                and len(command) == 3
                and isinstance(command[2], dict)
            }
            if existing_order:
                methods |= set(existing_order.payment_ids.payment_method_id.ids)
            methods = self.env["pos.payment.method"].browse(m for m in methods if m).exists()
            session = self.env["pos.session"].browse(order.get("session_id")).exists()
            partner = self.env["res.partner"].browse(order["partner_id"]).exists()
            if session and partner and any(m.type == "pay_later" for m in methods):
                self._credit_lock_customer(session.config_id.company_id, partner)
        return super()._process_order(order, existing_order)

    def _process_saved_order(self, draft):
        """Every order the tills send ends here (``sync_from_ui`` → ``_process_order``)
        before it is marked paid, invoiced and delivered. A finished order leaving money on
        a customer's account is judged now, with the customer locked; failing, it is still
        recorded as the till sold it (never lost), and held for a credit officer."""
        self.ensure_one()
        verdict = None
        if not draft and self.partner_id:
            amount = self._credit_pay_later_amount()
            if self.company_id.currency_id.compare_amounts(amount, 0) > 0:
                self._credit_lock_customer(self.company_id, self.partner_id)
                self.flush_recordset(["state", "account_move"])
                counted = amount if self.state == "paid" and not self.account_move else 0.0
                verdict = self._credit_pos_evaluate(
                    self.company_id, self.partner_id, amount, counted=counted
                )
        result = super()._process_saved_order(draft)
        if verdict and verdict[2]:
            self._credit_pos_hold(*verdict[:3])
        return result

    def _credit_pos_hold(self, file, facts, failures):
        """A pending credit hold on this order with the failed rules and figures, a message
        on the order and an activity for the customer's credit officer."""
        self.ensure_one()
        Hold = self.env["credit.hold"].sudo()
        company = self.company_id
        reasons = Hold._failure_messages(failures, company.currency_id)
        with audit_writer(self.env):
            hold = Hold.create(
                {
                    **Hold._check_values(
                        self.partner_id.commercial_partner_id,
                        company,
                        file.grade_id,
                        facts,
                        failures,
                    ),
                    "pos_order_id": self.id,
                    "requester_id": self.user_id.id or self.env.uid,
                    "order_amount": float(facts.order_amount),
                    "order_currency_id": self.currency_id.id,
                    "order_total": self.amount_total,
                }
            )
        self.sudo().message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                _(
                    "Credit hold: sold on customer account although the credit checks "
                    "failed; a credit officer has been asked to decide."
                ),
                Markup("").join(Markup("<li>%s</li>") % reason for reason in reasons),
            ),
        )
        hold._ask_officer(file, hold.name, reasons)
        return hold

    # ------------------------------------------------------------------
    # the till
    # ------------------------------------------------------------------
    @api.model
    def credit_pos_check(self, config_id, partner_id, amount=0.0):
        """What the till shows and decides for ``partner_id`` paying ``amount`` (in the
        point of sale's currency) on customer account: the customer's grade, available
        credit and overdue money, and, for an amount, whether the credit checks refuse it
        with the failed rules and their figures (in the user's language). Nothing is
        written or locked: the server judges again when the order arrives."""
        if not self.env.user.has_group("point_of_sale.group_pos_user"):
            raise AccessError(_("Only point of sale users can ask for a customer's credit."))
        config = self.env["pos.config"].browse(int(config_id)).exists()
        partner = self.env["res.partner"].browse(int(partner_id)).exists()
        if not config or not partner:
            raise UserError(_("Unknown point of sale or customer."))
        config.check_access("read")
        company = config.company_id
        currency = company.currency_id
        try:
            amount = float(amount or 0.0)
        except (TypeError, ValueError):
            raise UserError(_("The amount to check must be a number.")) from None
        amount = config.currency_id._convert(
            amount, currency, company, fields.Date.context_today(self)
        )
        file, facts, failures, exposure = self._credit_pos_evaluate(company, partner, amount)
        policy = self.env["credit.policy"].sudo()._for_company(company)
        available = (
            file.effective_limit
            - float(self.env["credit.exposure"]._limit_exposure(policy, exposure))
            if file
            else 0.0
        )
        blocked = bool(failures) and currency.compare_amounts(amount, 0) > 0
        return {
            "partner": partner.commercial_partner_id.display_name,
            "grade": file.grade_id.display_name or "",
            "unlimited": bool(file and file.unlimited),
            "limit": currency.format(float(facts.limit)),
            "exposure": currency.format(float(facts.exposure)),
            "available": currency.format(available),
            "overdue": currency.format(float(facts.overdue_amount)),
            "has_overdue": currency.compare_amounts(float(facts.overdue_amount), 0) > 0,
            "amount": currency.format(amount),
            "blocked": blocked,
            "reasons": (
                self.env["credit.exposure"]._failure_messages(failures, currency) if blocked else []
            ),
        }
