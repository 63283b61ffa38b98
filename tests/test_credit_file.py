from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import CreditLedgerCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditFile(CreditLedgerCommon):
    """One credit file per customer (the commercial entity) and company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._customer("Acme")
        cls.contact = cls.env["res.partner"].create({"name": "Jane", "parent_id": cls.acme.id})
        cls.file = cls._file(cls.acme)

    def test_a_contact_gets_no_file_of_its_own(self):
        with self.assertRaises(UserError) as caught:
            self._file(self.contact)
        self.assertIn("not for its contacts", str(caught.exception))

    def test_a_customer_has_one_file_per_company(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self._file(self.acme)

    def test_the_file_of_a_contact_is_its_companys(self):
        File = self.env["credit.file"]
        self.assertEqual(File._get_for_partner(self.contact), self.file)
        newcomer = self._customer("Newcomer")
        self.assertFalse(File._get_for_partner(newcomer, create=False))
        created = File._get_for_partner(newcomer)
        self.assertEqual((created.partner_id, created.company_id), (newcomer, self.company))

    def test_the_rating_state_follows_the_validity(self):
        self.assertEqual(self.file.rating_state, "unrated")
        self._set_rating(
            self.file, sync=False, grade_id=self.grade["A"].id, valid_until=date(2024, 6, 30)
        )
        self.assertEqual(self.file.rating_state, "valid")
        self._set_rating(self.file, sync=False, valid_until=date(2024, 6, 29))
        self.assertEqual(self.file.rating_state, "expired")

    def test_files_are_searched_by_rating_state(self):
        rated = self._file(self._customer("Rated"))
        self._set_rating(
            rated, sync=False, grade_id=self.grade["A"].id, valid_until=date(2024, 8, 1)
        )
        expired = self._file(self._customer("Expired"))
        self._set_rating(
            expired, sync=False, grade_id=self.grade["B"].id, valid_until=date(2024, 6, 1)
        )
        files = self.file | rated | expired
        File = self.env["credit.file"]
        for state, expected in (("unrated", self.file), ("valid", rated), ("expired", expired)):
            found = File.search([("id", "in", files.ids), ("rating_state", "=", state)])
            self.assertEqual(found, expected, state)
        found = File.search([("id", "in", files.ids), ("rating_state", "!=", "valid")])
        self.assertEqual(found, self.file | expired)

    def test_the_limit_in_force_is_the_higher_of_the_rated_and_a_running_temporary_one(self):
        self._set_rating(
            self.file,
            sync=False,
            credit_limit=23_000.0,
            temporary_limit=40_000.0,
            temporary_limit_until=date(2024, 6, 30),
        )
        self.assertEqual(self.file.effective_limit, 40_000.0)
        self._set_rating(self.file, sync=False, temporary_limit_until=date(2024, 6, 29))
        self.assertEqual(self.file.effective_limit, 23_000.0)

    def test_open_receivables_count_the_contacts_invoices(self):
        self._invoice(self.acme, "2024-06-01", "2024-07-01", 1_000.0)
        partly_paid = self._invoice(self.contact, "2024-06-05", "2024-07-05", 2_000.0)
        self._pay(partly_paid, "2024-06-20", amount=500.0)
        paid = self._invoice(self.acme, "2024-06-10", "2024-07-10", 300.0)
        self._pay(paid, "2024-06-25")
        self._set_rating(self.file, sync=False, credit_limit=10_000.0)
        # 1,000 + (2,000 - 500) still owed
        self.assertEqual(self.file._open_receivables()[self.file.id], 1_000.0 + 1_500.0)
        partner = self.contact.with_user(self.salesperson)
        self.assertEqual(partner.credit_open_receivables, 2_500.0)
        self.assertEqual(partner.credit_available, 10_000.0 - 2_500.0)
