from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer
from odoo.addons.point_of_sale.tests.common import TestPoSCommon


class CreditPosCommon(TestPoSCommon):
    """Odoo's point of sale test set-up (a shop with Cash, Bank and a *Pay Later* customer
    account method) with credit control: Acme, rated A with a limit of 1,000.00 and nothing
    owed, a cashier and a credit officer, and goods at 600.00 without tax. The session is
    open; orders are sent as the till sends them (``sync_from_ui``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls.cashier = new_test_user(
            cls.env,
            login="cm_pos_cashier",
            groups="point_of_sale.group_pos_user",
            name="Till Cashier",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.officer = new_test_user(
            cls.env,
            login="cm_pos_officer",
            groups="credit_management.group_credit_officer",
            name="Credit Officer",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.goods = cls.create_product("Cement bag", cls.categ_basic, 600.0)
        cls.acme, cls.file = cls._rated("Acme Hardware", limit=1_000.0)
        cls.policy = cls.env["credit.policy"].sudo()._for_company(cls.company)

    @classmethod
    def _rated(cls, name, grade="credit_management.grade_a", limit=1_000.0):
        """A customer whose rating was approved before the test (written as its decision
        would write it)."""
        today = fields.Date.context_today(cls.env["res.partner"])
        partner = cls.env["res.partner"].create({"name": name, "is_company": True})
        with audit_writer(cls.env):
            file = (
                cls.env["credit.file"]
                .sudo()
                .create(
                    {
                        "partner_id": partner.id,
                        "company_id": cls.company.id,
                        "grade_id": cls.env.ref(grade).id,
                        "credit_limit": limit,
                        "credit_days": 30,
                        "rating_date": today,
                        "valid_until": today + timedelta(days=60),
                        "officer_id": cls.officer.id,
                    }
                )
            )
        return partner, file

    def setUp(self):
        super().setUp()
        self.open_new_session()

    def _sync(self, *orders):
        """Send orders as the till does; return the synced records and what the till reads
        back."""
        result = self.env["pos.order"].sync_from_ui(list(orders))
        return self.env["pos.order"].browse([o["id"] for o in result["pos.order"]]), result

    def _sale(self, partner, payments, qty=1):
        """The till's data of one sale of ``qty`` goods to ``partner`` paid with
        ``payments`` [(method, amount)]."""
        return self.create_ui_order_data([(self.goods, qty)], customer=partner, payments=payments)

    def _exposure(self, partner):
        return self.env["credit.exposure"]._exposure_by_partner([(self.company.id, partner.id)])[
            (self.company.id, partner.id)
        ]
