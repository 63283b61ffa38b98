from datetime import timedelta
from unittest.mock import patch

from lxml import html

from odoo import Command, fields
from odoo.tests import HttpCase, freeze_time, tagged

from .common import CreditOrderCommon

SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
"""A one-pixel PNG, the customer's signature."""

PENDING_NOTICE = (
    "Your order is awaiting credit approval. We will confirm it as soon as it is approved."
)
"""What the mail about a paid quotation held by the credit gate tells the customer."""


class PaidOnlineMixin:
    """A payment provider of the test company and transactions paying a quotation."""

    @classmethod
    def _mail_domain(cls):
        """The company sends from notifications@example.com, so the mails of the public user
        (who has no address) go out as well."""
        cls.company.alias_domain_id = cls.env["mail.alias.domain"].create(
            {"name": "example.com", "default_from": "notifications"}
        )

    @classmethod
    def _provider(cls):
        """A provider in test mode booking its payments in the company's bank journal, as
        account_payment's own tests set theirs up (AccountPaymentCommon)."""
        method = cls.env.ref("payment.payment_method_unknown")
        cls.payment_method = method
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Credit test provider",
                "code": "none",
                "state": "test",
                "company_id": cls.company.id,
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        method.active = True
        Method = cls.env.registry["account.payment.method"]
        known = Method._get_payment_method_information

        def with_none(*args, **kwargs):
            return dict(known(*args, **kwargs), none={"mode": "electronic", "type": ("bank",)})

        with patch.object(Method, "_get_payment_method_information", with_none):
            cls.env["account.payment.method"].sudo().create(
                {"name": "Credit test method", "code": "none", "payment_type": "inbound"}
            )
            cls.provider.journal_id = cls.company_data["default_journal_bank"]

    def _paid_online(self, order, amount):
        """A done transaction of ``amount`` on ``order``, post-processed as Odoo does when
        the customer comes back from the provider (as the public user, in sudo)."""
        tx = self._done_transaction(order, amount, self.provider)
        tx = tx.with_user(self.env.ref("base.public_user")).sudo()
        tx._post_process()
        order.invalidate_recordset()
        return tx

    @staticmethod
    def _mails_to(order, partner):
        """The messages of ``order`` e-mailed to ``partner``."""
        return order.message_ids.filtered(
            lambda message: message.notification_ids.filtered(
                lambda n: n.res_partner_id == partner and n.notification_type == "email"
            )
        )


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestPaidHeldOrderMail(PaidOnlineMixin, CreditOrderCommon):
    """A customer who pays a quotation that the credit gate then holds gets Odoo's "payment
    received" mail, telling that the order awaits credit approval. Newcomer is rated C
    (payment before delivery) with no limit, so only a paid order can pass."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.newcomer, cls.newcomer_file = cls._rated("Newcomer", grade="C", limit=0.0)
        cls.newcomer.email = "buyer@newcomer.example.com"
        cls._mail_domain()
        cls._provider()

    def test_a_paid_order_that_is_held_mails_the_customer_that_it_awaits_approval(self):
        self.newcomer_file.write({"on_hold": True, "hold_reason": "Cheque bounced"})
        order = self._quotation(self.newcomer, 1_000.0)
        self._paid_online(order, 1_000.0)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_ids.state, "pending")
        self.assertEqual(self._failures(order.credit_hold_ids), {"manual_hold": {}})
        mail = self._mails_to(order, self.newcomer)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subtype_id, self.env.ref("mail.mt_comment"))
        # Odoo's "payment received" mail (sale.mail_template_sale_payment_executed) ...
        self.assertIn("A payment with reference", mail.body)
        self.assertIn(f"{order.name}/1000.0", mail.body)
        # ... which says that the order is not confirmed yet, and nothing of the hold
        self.assertIn(PENDING_NOTICE, mail.body)
        self.assertNotIn("Cheque bounced", mail.body)
        self.assertNotIn("credit hold", mail.body.lower())

    def test_a_paid_order_that_passes_gets_the_usual_confirmation_only(self):
        order = self._quotation(self.newcomer, 1_000.0)
        self._paid_online(order, 1_000.0)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_hold_ids)
        mail = self._mails_to(order, self.newcomer)
        self.assertEqual(len(mail), 1)
        # Odoo's order confirmation (sale.mail_template_sale_confirmation)
        self.assertIn("has been confirmed", mail.body)
        self.assertNotIn("A payment with reference", mail.body)
        self.assertNotIn("credit approval", mail.body)

    def test_a_held_quotation_still_to_be_paid_waits_for_the_payment_not_for_approval(self):
        """The salesperson's confirmation was held; the customer, asked to pay first, is
        told nothing of credit until the payment (which runs the checks again) arrives."""
        self.newcomer_file.on_hold = True
        order = self._quotation(self.newcomer, 1_000.0)
        order.write({"state": "sent", "require_payment": True, "prepayment_percent": 1.0})
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.credit_hold_state, "pending")
        self.assertFalse(order._credit_customer_status())
        self._paid_online(order, 1_000.0)
        self.assertEqual(order.state, "sent")
        self.assertEqual(order._credit_customer_status(), "pending")
        self.assertIn(PENDING_NOTICE, self._mails_to(order, self.newcomer).body)

    def test_the_mail_speaks_the_customers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.newcomer.lang = "zh_CN"
        self.newcomer_file.on_hold = True
        order = self._quotation(self.newcomer, 1_000.0)
        self._paid_online(order, 1_000.0)
        mail = self._mails_to(order, self.newcomer)
        self.assertIn("您的订单正在等待信用审批", mail.body)
        self.assertNotIn(PENDING_NOTICE, mail.body)


@tagged("post_install", "-at_install")
class TestPortalCreditTruth(PaidOnlineMixin, CreditOrderCommon, HttpCase):
    """The customer's order page, through the real routes, tells a held quotation from a
    confirmed order. Acme is rated A with a limit of 1,000.00 and owes nothing, so an order
    of 5,000.00 on 30 days is held (5,000.00 over the limit by 4,000.00) and one of 500.00
    passes. Not frozen in time (the HTTP server runs in its own threads): the rating is
    valid for a year from today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated(
            "Acme",
            limit=1_000.0,
            rating_date=fields.Date.today() - timedelta(days=30),
            valid_until=fields.Date.today() + timedelta(days=365),
        )
        cls._mail_domain()
        cls._provider()

    def _sign_on_the_portal(self, order):
        """Sign as the customer does, logged out with the link of the quotation e-mail: the
        JSON route the signature dialog posts to, then the page it redirects to."""
        order.write({"state": "sent", "require_signature": True, "require_payment": False})
        order._portal_ensure_token()
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept?access_token={order.access_token}",
            {"name": "A. Buyer", "signature": SIGNATURE},
        )
        self.assertIn("message=sign_ok", result["redirect_url"])
        page = self._page(result["redirect_url"])
        self.env.invalidate_all()
        return page

    def _page(self, url):
        response = self.url_open(url, timeout=60)
        response.raise_for_status()
        return html.fromstring(response.content)

    @staticmethod
    def _alerts(page):
        """The text of each alert of the order page, whitespace collapsed."""
        return [
            " ".join(alert.text_content().split())
            for alert in page.xpath("//div[@id='quote_content']//div[contains(@class, 'alert')]")
        ]

    def test_a_held_quotation_signed_on_the_portal_says_it_awaits_credit_approval(self):
        order = self._quotation(self.acme, 5_000.0)
        page = self._sign_on_the_portal(order)
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.credit_hold_ids.state, "pending")
        self.assertEqual(
            self._alerts(page),
            [
                "Thank You! Your order has been signed and is awaiting credit approval. "
                "We will confirm it shortly."
            ],
        )
        text = page.text_content()
        self.assertNotIn("Your order has been signed.", text)
        self.assertNotIn("Credit limit exceeded", text)

    def test_a_passing_quotation_signed_on_the_portal_is_confirmed_as_odoo_says(self):
        order = self._quotation(self.acme, 500.0)
        page = self._sign_on_the_portal(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._alerts(page), ["Thank You! Your order has been confirmed."])

    def test_a_paid_held_quotation_says_the_payment_arrived_and_the_order_awaits_approval(self):
        self.file.write({"on_hold": True, "hold_reason": "Cheque bounced"})
        order = self._quotation(self.acme, 500.0)
        order.write({"state": "sent", "require_signature": False, "require_payment": True})
        order._portal_ensure_token()
        self._paid_online(order, 500.0)
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.credit_hold_ids.state, "pending")
        page = self._page(order.get_portal_url())
        alerts = self._alerts(page)
        self.assertIn(
            "Thank You! Your payment has been received and your order is awaiting credit "
            "approval. We will confirm it shortly.",
            alerts,
        )
        self.assertNotIn("Cheque bounced", page.text_content())

    def test_a_rejected_quotation_asks_the_customer_to_contact_the_salesperson(self):
        order = self._quotation(self.acme, 5_000.0)
        self._sign_on_the_portal(order)
        order.credit_hold_ids.with_user(self.officer).action_reject("Too much for now")
        page = self._page(order.get_portal_url())
        self.assertEqual(
            self._alerts(page),
            [
                "Not approved on credit Your order could not be approved on credit. Please "
                "contact your salesperson to find a solution. Contact us"
            ],
        )
        text = page.text_content()
        self.assertNotIn("Too much for now", text)
        self.assertNotIn("Credit limit exceeded", text)
        self.assertNotIn(self.currency.format(4_000.0), text)
