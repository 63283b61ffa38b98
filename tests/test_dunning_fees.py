from odoo.tests import freeze_time, tagged

from .dunning_common import DAY, DunningCommon, days


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDunningFees(DunningCommon):
    """Fees and penalty interest on the communications, to the cent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._debtor("Acme")
        # go straight to the overdue levels: the first and the letter level skippable
        cls.level[15].skippable = True
        cls.level[30].skippable = True

    def test_the_letter_level_charges_its_fixed_fee_once_per_communication(self):
        self._invoice(self.acme, days(-90), days(-35), 1234.56)
        self._invoice(self.acme, days(-90), days(-40), 100.0)
        comm = self._communications(self._run(DAY), self.acme)
        self.assertEqual(comm.level_id, self.level[30])
        self.assertEqual(comm.fee_amount, 50.0)
        self.assertEqual(comm.interest_amount, 0.0)
        self.assertEqual(comm.total_amount, 1384.56)

    def test_penalty_interest_per_day_on_the_open_amount_to_the_cent(self):
        # 61 days overdue: 1,234.56 x 0.05 % x 61 = 37.65408 ;
        # 75 days overdue: 2,000.01 x 0.05 % x 75 = 75.000375 -> 112.654455 -> 112.65
        self._invoice(self.acme, days(-90), days(-61), 1234.56)
        self._invoice(self.acme, days(-100), days(-75), 2000.01)
        comm = self._communications(self._run(DAY), self.acme)
        self.assertEqual(comm.level_id, self.level[60])
        self.assertEqual(comm.interest_amount, 112.65)
        self.assertEqual(comm.total_amount, 3347.22)  # 3,234.57 + 112.65
        self.assertEqual(sorted(comm.line_ids.mapped("interest_days")), [61, 75])

    def test_interest_is_raised_to_the_minimum(self):
        # 100 x 0.05 % x 62 = 3.10 -> minimum 10
        self._invoice(self.acme, days(-90), days(-62), 100.0)
        comm = self._communications(self._run(DAY), self.acme)
        self.assertEqual(comm.interest_amount, 10.0)

    def test_interest_is_capped(self):
        # 20,000 x 0.05 % x 65 = 650 -> cap 500
        self._invoice(self.acme, days(-100), days(-65), 20000.0)
        comm = self._communications(self._run(DAY), self.acme)
        self.assertEqual(comm.interest_amount, 500.0)

    def test_days_already_charged_are_not_charged_again(self):
        self.level[90].write({"fee_type": "interest", "interest_rate": 0.1})
        self._invoice(self.acme, days(-120), days(-61), 1000.0)
        first = self._communications(self._run(DAY, send=True), self.acme)
        self.assertEqual(first.interest_amount, 30.5)  # 1000 x 0.05 % x 61
        with freeze_time(days(29)):
            second = self._communications(self._run(days(29)), self.acme)
        # 90 days overdue, 61 charged already: 1000 x 0.1 % x 29 = 29.00
        self.assertEqual(second.level_id, self.level[90])
        self.assertEqual(second.line_ids.interest_days, 29)
        self.assertEqual(second.interest_amount, 29.0)
