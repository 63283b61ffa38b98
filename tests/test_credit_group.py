from decimal import Decimal

from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditGroup(CreditOrderCommon):
    """A parent company carries one limit shared by its subsidiaries (credit group).

    Holding Co heads the group with a group limit of 10,000.00 and owes 1,000.00 itself;
    North (own limit 8,000.00) owes 4,000.00, South (own limit 8,000.00) owes 2,000.00:
    the group owes 7,000.00 and has 3,000.00 left, although each subsidiary has room of
    its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holding, cls.holding_file = cls._rated(
            "Holding Co", limit=10_000.0, is_credit_group=True, group_limit=10_000.0
        )
        cls.north, cls.north_file = cls._rated(
            "North Subsidiary", limit=8_000.0, group_file_id=cls.holding_file.id
        )
        cls.south, cls.south_file = cls._rated(
            "South Subsidiary", limit=8_000.0, group_file_id=cls.holding_file.id
        )
        cls.outsider, cls.outsider_file = cls._rated("Outsider", limit=8_000.0)
        cls._invoice(cls.holding, "2024-06-20", "2024-07-20", 1_000.0)
        cls._invoice(cls.north, "2024-06-20", "2024-07-20", 4_000.0)
        cls._invoice(cls.south, "2024-06-20", "2024-07-20", 2_000.0)
        cls._invoice(cls.outsider, "2024-06-20", "2024-07-20", 5_000.0)

    def _confirm(self, orders):
        return orders.with_user(self.salesperson).action_confirm()

    def test_a_member_within_its_own_limit_is_held_by_the_group_limit(self):
        order = self._quotation(self.south, 3_500.0)  # South: 2,000 + 3,500 = 5,500 <= 8,000
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        failures = self._failures(order.credit_hold_ids)
        self.assertEqual(list(failures), ["group_limit"])
        # the group: 1,000 + 4,000 + 2,000 = 7,000; + 3,500 = 10,500, 500 over 10,000
        self.assertEqual(failures["group_limit"]["group_exposure"], Decimal("7000.0"))
        self.assertEqual(failures["group_limit"]["exposure_after"], Decimal("10500.0"))
        self.assertEqual(failures["group_limit"]["excess"], Decimal("500.0"))
        self.assertIn(self.currency.format(500.0), order.credit_hold_ids.reasons)

    def test_an_order_within_what_the_group_has_left_is_confirmed(self):
        order = self._quotation(self.north, 3_000.0)  # group 7,000 + 3,000 = 10,000
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_the_head_itself_is_bound_by_the_group_limit(self):
        order = self._quotation(self.holding, 3_000.01)
        self._confirm(order)
        self.assertEqual(list(self._failures(order.credit_hold_ids)), ["group_limit"])

    def test_a_batch_counts_the_orders_it_passed_for_other_members(self):
        first = self._quotation(self.north, 2_000.0)
        second = self._quotation(self.south, 2_000.0)
        self._confirm(first | second)
        # group 7,000 + 2,000 = 9,000 passes; + 2,000 more = 11,000 does not
        self.assertEqual(first.state, "sale")
        self.assertEqual(second.state, "draft")
        failures = self._failures(second.credit_hold_ids)
        self.assertEqual(failures["group_limit"]["group_exposure"], Decimal("9000.0"))

    def test_confirmed_orders_of_members_count_in_the_group_exposure(self):
        self._confirm(self._quotation(self.north, 2_500.0))
        order = self._quotation(self.south, 600.0)  # 7,000 + 2,500 + 600 = 10,100
        self._confirm(order)
        self.assertEqual(list(self._failures(order.credit_hold_ids)), ["group_limit"])

    def test_customers_outside_the_group_and_the_switch(self):
        order = self._quotation(self.outsider, 3_000.0)  # own: 5,000 + 3,000 = 8,000
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.policy.check_group_limit = False
        order = self._quotation(self.south, 3_500.0)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_leaving_the_group_frees_the_member(self):
        self.south_file.group_file_id = False
        order = self._quotation(self.south, 3_500.0)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_group_structure_is_checked(self):
        with self.assertRaises(ValidationError):
            self.outsider_file.group_file_id = self.north_file  # North heads no group
        with self.assertRaises(ValidationError):
            self.holding_file.is_credit_group = False  # it still has members
        self.outsider_file.is_credit_group = True
        with self.assertRaises(ValidationError):
            self.outsider_file.group_file_id = self.holding_file  # a head joins no group
        other_company = self.setup_other_company(name="Group Abroad")["company"]
        _partner, foreign_file = self._rated("Abroad", limit=1.0, company=other_company)
        with self.assertRaises(ValidationError):
            foreign_file.group_file_id = self.holding_file
