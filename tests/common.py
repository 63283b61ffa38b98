import subprocess
import tempfile
import unicodedata
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from unittest import TestCase

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer


def pdf_text(content):
    """The text of a PDF read back with pdftotext (poppler-utils), NFKC-normalised: the CJK
    fonts map some characters to their compatibility forms (方 comes out as the Kangxi
    radical ⽅)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", pdf.name, "-"], capture_output=True, check=True, text=True
        ).stdout
    return unicodedata.normalize("NFKC", text)


TODAY = date(2024, 6, 30)
"""The day the ledger tests are frozen at (``@freeze_time("2024-06-30")``)."""

A_STATEMENT = {
    "total_assets": 1_000_000.0,
    "total_liabilities": 600_000.0,
    "current_assets": 517_345.0,
    "current_liabilities": 400_000.0,
    "inventory": 200_000.0,
    "net_worth": 400_000.0,
    "revenue": 1_000_000.0,
    "net_profit": 30_000.0,
}
"""A middling balance sheet: current ratio 1.2934, quick ratio 0.7934, debt ratio 0.6, net
margin 0.03, net working capital 117,345."""

A_MARKS = {"character": "4", "capacity": "3", "capital": "3", "collateral": "2", "conditions": "3"}
"""The officer's 5C marks of the A customer."""


class CreditCommon(TransactionCase):
    """Users in each credit role, built once per test class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.salesperson = new_test_user(
            cls.env,
            login="cm_salesperson",
            groups="sales_team.group_sale_salesman",
            name="Credit Test Salesperson",
        )
        cls.credit_user = new_test_user(
            cls.env,
            login="cm_credit_user",
            groups="credit_management.group_credit_user",
            name="Credit Test User",
        )
        cls.officer = new_test_user(
            cls.env,
            login="cm_officer",
            groups="credit_management.group_credit_officer",
            name="Credit Test Officer",
        )
        cls.manager = new_test_user(
            cls.env,
            login="cm_manager",
            groups="credit_management.group_credit_manager",
            name="Credit Test Manager",
        )
        cls.grades = cls.env["credit.grade"].search([])
        cls.grade = {grade.code: grade for grade in cls.grades}


class CreditLedgerCommon(AccountTestInvoicingCommon):
    """A company with a chart of accounts (Odoo's own accounting test base), users in each
    credit role of that company, and helpers that write a real receivable ledger: invoices
    with due dates, payments registered on a given day, credit notes.

    The test user (Odoo's "accountman") is also the credit manager, so set-up code can build
    files and statements; decisions in the tests are taken as ``cls.officer``.
    """

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("credit_management.group_credit_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls.company_data["currency"]
        cls.receivable = cls.company_data["default_account_receivable"]

        def user(login, groups, name):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                name=name,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.salesperson = user(
            "cm_salesperson", "sales_team.group_sale_salesman", "Credit Test Salesperson"
        )
        cls.credit_user = user(
            "cm_credit_user", "credit_management.group_credit_user", "Credit Test User"
        )
        cls.officer = user("cm_officer", "credit_management.group_credit_officer", "Officer")
        cls.manager = user("cm_manager", "credit_management.group_credit_manager", "Manager")
        cls.plain_employee = user("cm_plain", "base.group_user", "Plain Employee")

        cls.grades = cls.env["credit.grade"].search([])
        cls.grade = {grade.code: grade for grade in cls.grades}
        cls.policy = cls.env.ref("credit_management.policy_default")
        cls.policy.officer_id = cls.officer

    # ------------------------------------------------------------------
    # ledger
    # ------------------------------------------------------------------
    @classmethod
    def _invoice(cls, partner, invoice_date, due_date, amount, currency=None, company=None):
        """A posted customer invoice of one untaxed line, due on ``due_date``."""
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "date": invoice_date,
                    "invoice_payment_term_id": False,
                    "invoice_date_due": due_date,
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    @classmethod
    def _credit_note(cls, invoice, note_date, amount):
        """A posted credit note of ``amount`` matched against ``invoice``."""
        refund = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "invoice_date": note_date,
                "date": note_date,
                "invoice_payment_term_id": False,
                "invoice_date_due": note_date,
                "currency_id": invoice.currency_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Returned goods",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        refund.action_post()
        (invoice + refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        return refund

    @classmethod
    def _pay(cls, invoice, payment_date, amount=None, currency=None):
        """Register a payment of ``invoice`` on ``payment_date`` (the whole residual by
        default), the way a user does from the invoice."""
        values = {"payment_date": payment_date}
        if amount is not None:
            values["amount"] = amount
        if currency is not None:
            values["currency_id"] = currency.id
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(values)
            ._create_payments()
        )

    @classmethod
    def _unapplied_payment(cls, partner, payment_date, amount, company=None, currency=None):
        """A posted customer payment matched against nothing (an open negative item)."""
        company = company or cls.company
        payment = (
            cls.env["account.payment"]
            .with_company(company)
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": partner.id,
                    "amount": amount,
                    "date": payment_date,
                    "currency_id": (currency or company.currency_id).id,
                }
            )
        )
        payment.action_post()
        return payment

    @classmethod
    def _paid_invoice(cls, partner, invoice_date, days, amount, company=None):
        """An invoice due ``days`` after its date and paid on its due date."""
        due = fields.Date.add(fields.Date.to_date(invoice_date), days=days)
        invoice = cls._invoice(partner, invoice_date, due, amount, company=company)
        cls._pay(invoice, due)
        return invoice

    # ------------------------------------------------------------------
    # credit files
    # ------------------------------------------------------------------
    @classmethod
    def _customer(cls, name, **values):
        return cls.env["res.partner"].create({"name": name, "is_company": True, **values})

    @classmethod
    def _file(cls, partner, company=None, **values):
        """A credit file; a rating or limit among ``values`` is put in force as an earlier
        decision would have (see ``_set_rating``)."""
        File = cls.env["credit.file"]
        rating = {name: values.pop(name) for name in File._credit_audit_fields & values.keys()}
        file = File.create(
            {"partner_id": partner.id, "company_id": (company or cls.company).id, **values}
        )
        if rating:
            cls._set_rating(file, sync=False, **rating)
        return file

    @staticmethod
    def _set_rating(file, sync=True, **values):
        """Set-up only: put a rating or limit in force on ``file`` as if a decision had
        granted it before the test (the tests of the decisions themselves go through their
        buttons), and keep Odoo's own limit equal to it unless ``sync`` is false."""
        with audit_writer(file.env):
            file.write(values)
        if sync:
            file._sync_partner_credit_limit()

    @classmethod
    def _statement(cls, file, statement_date=date(2023, 12, 31), **amounts):
        return cls.env["credit.financial.statement"].create(
            {"file_id": file.id, "date": statement_date, **amounts}
        )

    @classmethod
    def _a_grade_customer(cls, name, **file_values):
        """A customer rated A by the default model (score 73.80, see test_credit_review for
        the arithmetic): ``A_STATEMENT``, ``A_MARKS`` and a spotless ledger since 2024-01-02
        (one invoice paid on its due date), so it is no new customer on ``TODAY``."""
        partner = cls._customer(name)
        cls._paid_invoice(partner, "2024-01-02", 30, 1000.0)
        file = cls._file(partner, **A_MARKS, **file_values)
        cls._statement(file, **A_STATEMENT)
        return partner, file

    def _review(self, file, user=None):
        """A new review of ``file`` computed by the officer (or ``user``)."""
        action = file.with_user(user or self.officer).action_new_review()
        return self.env["credit.review"].browse(action["res_id"])

    def _approved_review(self, file, **decision):
        review = self._review(file)
        if decision:
            review.with_user(self.officer).write(decision)
        review.with_user(self.officer).action_approve()
        return review

    @contextmanager
    def assertRefusedWithoutWriting(self, exception):
        """Like assertRaises, but without Odoo's savepoint: whatever the refused call wrote
        before raising stays visible, so a test can check that nothing was half-written."""
        with TestCase.assertRaises(self, exception) as context:
            yield context
        self.env.invalidate_all()


class CreditOrderCommon(CreditLedgerCommon):
    """Sale orders on top of the ledger: a product sold at any price without tax, a 30-day
    payment term (a credit sale) and Odoo's immediate payment term, rated customers whose
    credit file is written directly (grade, limit, validity), and quotations of a given
    amount. The default salesperson of an order is ``cls.salesperson``; the credit officer
    of the default policy is ``cls.officer``."""

    RATING_VALID_UNTIL = date(2024, 8, 31)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.goods = cls.env["product.product"].create(
            {
                "name": "Credit goods",
                "type": "consu",
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.term_30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})
                ],
            }
        )
        cls.term_immediate = cls.env.ref("account.account_payment_term_immediate")

    @classmethod
    def _rated(cls, name, grade="A", limit=10_000.0, company=None, **file_values):
        """A customer with a credit file rated ``grade`` with ``limit`` and a credit term of
        30 days (that of ``_quotation``'s default payment term), valid until
        ``RATING_VALID_UNTIL``, and Odoo's own limit kept equal (as an approved review does).

        The rating stands for a decision taken before the test begins, so the set-up writes
        it in an audit writer block as a decision method would (see ``_set_rating``)."""
        partner = cls._customer(name)
        file = cls._file(
            partner,
            company=company,
            grade_id=cls.grade[grade].id,
            credit_limit=limit,
            **{
                "rating_date": date(2024, 6, 1),
                "valid_until": cls.RATING_VALID_UNTIL,
                "credit_days": 30,
            }
            | file_values,
        )
        file._sync_partner_credit_limit()
        return partner, file

    @classmethod
    def _quotation(
        cls,
        partner,
        amount,
        qty=1.0,
        salesperson=None,
        term=None,
        pricelist=None,
        company=None,
        taxes=None,
    ):
        """A quotation of one line of ``qty`` goods worth ``amount`` before taxes."""
        company = company or cls.company
        values = {
            "partner_id": partner.id,
            "company_id": company.id,
            "user_id": (cls.salesperson if salesperson is None else salesperson).id,
            "payment_term_id": (term or cls.term_30).id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.goods.id,
                        "product_uom_qty": qty,
                        "price_unit": amount / qty,
                        "tax_id": [Command.set(taxes.ids if taxes else [])],
                    }
                )
            ],
        }
        if pricelist:
            values["pricelist_id"] = pricelist.id
        return cls.env["sale.order"].with_company(company).create(values)

    @classmethod
    def _refund(cls, partner, note_date, amount, post=True):
        """A credit note of ``amount`` matched against nothing (an open negative item)."""
        refund = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "invoice_date": note_date,
                "date": note_date,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Refund", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        if post:
            refund.action_post()
        return refund

    def _done_transaction(self, order, amount, provider):
        """A done online payment of ``amount`` on ``order`` through ``provider`` (not yet
        post-processed), as the customer pays it on the portal."""
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": provider.payment_method_ids[:1].id,
                    "amount": amount,
                    "currency_id": order.currency_id.id,
                    "partner_id": order.partner_id.id,
                    "reference": f"{order.name}/{amount}",
                    "operation": "online_redirect",
                    "sale_order_ids": [Command.set(order.ids)],
                }
            )
        )
        tx._set_done()
        order.invalidate_recordset(["amount_paid"])
        return tx

    @staticmethod
    def _failures(hold):
        """{rule: {name: value}} of a hold's failed rules, numbers as Decimal."""
        result = {}
        for failure in hold.failures:
            values = {}
            for key, value in failure["values"].items():
                try:
                    values[key] = Decimal(value)
                except InvalidOperation:
                    values[key] = value
            result[failure["rule"]] = values
        return result

    @staticmethod
    def _holds(order, state=None):
        holds = order.credit_hold_ids
        return holds.filtered(lambda h: h.state == state) if state else holds


def run_read_only(env, function):
    """``function(ro_env)`` in a read-only transaction, as Odoo 18 serves a read-only route
    or an ``@api.readonly`` method (and as it reads from a replica with
    ``db_replica_host``): the registry's ``cursor(readonly=True)``, which in test mode is a
    savepoint opened with ``SET TRANSACTION READ ONLY``. Any INSERT, UPDATE, DELETE, CREATE
    or lock for update in ``function``, including the ORM's final flush, fails with
    ``psycopg2.errors.ReadOnlySqlTransaction``. ``ro_env`` is ``env`` on that cursor:
    rebind records with ``record.with_env(ro_env)``; return plain values, not records."""
    env.flush_all()
    registry = env.registry
    entered = registry.test_cr is None
    if entered:
        registry.enter_test_mode(env.cr)
    try:
        with registry.cursor(readonly=True) as cr:
            assert cr.readonly
            ro_env = env(cr=cr)
            result = function(ro_env)
            ro_env.flush_all()
            return result
    finally:
        if entered:
            registry.leave_test_mode()
