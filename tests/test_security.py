from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestSecurity(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_employee = new_test_user(cls.env, login="cm_plain", groups="base.group_user")

    def test_each_credit_group_implies_the_one_below(self):
        user = self.env.ref("credit_management.group_credit_user")
        officer = self.env.ref("credit_management.group_credit_officer")
        manager = self.env.ref("credit_management.group_credit_manager")
        self.assertIn(user, officer.implied_ids)
        self.assertIn(officer, manager.implied_ids)
        self.assertIn(self.env.ref("base.group_user"), user.implied_ids)
        self.assertTrue(self.manager.has_group("credit_management.group_credit_officer"))
        self.assertTrue(self.manager.has_group("credit_management.group_credit_user"))
        self.assertTrue(self.officer.has_group("credit_management.group_credit_user"))
        self.assertFalse(self.officer.has_group("credit_management.group_credit_manager"))
        self.assertFalse(self.credit_user.has_group("credit_management.group_credit_officer"))

    def test_admin_is_credit_manager(self):
        self.assertTrue(
            self.env.ref("base.user_admin").has_group("credit_management.group_credit_manager")
        )

    def test_salespeople_are_credit_users(self):
        self.assertTrue(self.salesperson.has_group("credit_management.group_credit_user"))
        self.assertFalse(self.salesperson.has_group("credit_management.group_credit_officer"))

    def test_groups_share_the_credit_category(self):
        category = self.env.ref("credit_management.module_category_credit_management")
        for xmlid in ("group_credit_user", "group_credit_officer", "group_credit_manager"):
            self.assertEqual(self.env.ref(f"credit_management.{xmlid}").category_id, category)

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_credit_menu_is_visible_to_credit_users_only(self):
        root = self.env.ref("credit_management.menu_credit_root")
        for user in (self.salesperson, self.credit_user, self.officer, self.manager):
            self.assertIn(root.id, self._visible_menus(user), user.login)
        self.assertNotIn(root.id, self._visible_menus(self.plain_employee))

    def test_configuration_menu_is_for_managers(self):
        config = self.env.ref("credit_management.menu_credit_configuration")
        grades = self.env.ref("credit_management.menu_credit_grade")
        self.assertIn(config.id, self._visible_menus(self.manager))
        self.assertIn(grades.id, self._visible_menus(self.manager))
        for user in (self.salesperson, self.credit_user, self.officer):
            self.assertNotIn(config.id, self._visible_menus(user), user.login)

    def test_credit_user_reads_grades_but_cannot_change_them(self):
        grade = self.grade["A"].with_user(self.credit_user)
        self.assertEqual(grade.code, "A")
        with self.assertRaises(AccessError):
            grade.write({"min_score": 71})
        with self.assertRaises(AccessError):
            self.env["credit.grade"].with_user(self.credit_user).create(
                {"code": "A", "name": "x", "min_score": 1}
            )
        self.env.invalidate_all()
        self.assertEqual(self.grade["A"].min_score, 70)

    def test_officer_cannot_change_the_policy_scale(self):
        with self.assertRaises(AccessError):
            self.grade["A"].with_user(self.officer).write({"limit_ratio": 50})

    def test_salesperson_cannot_change_grades(self):
        with self.assertRaises(AccessError):
            self.grade["BB"].with_user(self.salesperson).write({"sales_mode": "credit"})

    def test_manager_tunes_the_scale(self):
        self.grade["A"].with_user(self.manager).write({"min_score": 72, "limit_ratio": 18})
        self.assertEqual(self.grade["A"].min_score, 72)
        self.assertEqual(self.grade["A"].limit_ratio, 18)

    def test_user_without_credit_group_cannot_read_grades(self):
        with self.assertRaises(AccessError):
            self.env["credit.grade"].with_user(self.plain_employee).search([]).mapped("code")


@tagged("post_install", "-at_install")
class TestCreditFileAccess(CreditCommon):
    """Who may read and change credit files, reviews, policies and scoring models."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_employee = new_test_user(cls.env, login="cm_plain", groups="base.group_user")
        cls.acme = cls.env["res.partner"].create({"name": "Acme", "is_company": True})
        cls.file = cls.env["credit.file"].create({"partner_id": cls.acme.id, "character": "3"})
        cls.policy = cls.env.ref("credit_management.policy_default")
        cls.model = cls.env.ref("credit_management.scoring_model_default")

    def test_credit_user_reads_credit_files_but_cannot_change_them(self):
        for user in (self.credit_user, self.salesperson):
            file = self.file.with_user(user)
            self.assertEqual(file.character, "3")
            self.assertEqual(file.rating_state, "unrated")
            with self.assertRaises(AccessError):
                file.write({"character": "5"})
            with self.assertRaises(AccessError):
                self.env["credit.file"].with_user(user).create({"partner_id": user.partner_id.id})
        self.assertEqual(self.file.character, "3")

    def test_credit_user_cannot_create_reviews(self):
        with self.assertRaises(AccessError):
            self.file.with_user(self.credit_user).action_new_review()
        with self.assertRaises(AccessError):
            self.env["credit.review"].with_user(self.credit_user).create({"file_id": self.file.id})
        self.assertFalse(self.env["credit.review"].search([("file_id", "=", self.file.id)]))

    def test_officer_creates_and_approves_reviews(self):
        action = self.file.with_user(self.officer).action_new_review()
        review = self.env["credit.review"].browse(action["res_id"])
        self.assertEqual(review.state, "to_approve")
        review.with_user(self.officer).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(self.file.grade_id, review.final_grade_id)
        self.assertEqual(review.decided_by_id, self.officer)

    def test_officer_keeps_the_credit_file(self):
        self.file.with_user(self.officer).write({"character": "5", "competitor_products": True})
        self.assertEqual(self.file.character, "5")

    def test_officer_cannot_change_policies_or_scoring_models(self):
        with self.assertRaises(AccessError):
            self.policy.with_user(self.officer).write({"limit_method": "net_worth"})
        with self.assertRaises(AccessError):
            self.model.with_user(self.officer).write({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.model.factor_ids[:1].with_user(self.officer).write({"weight": 50})
        self.assertEqual(self.policy.limit_method, "working_capital")

    def test_manager_edits_policies_and_scoring_models(self):
        self.policy.with_user(self.manager).write(
            {"limit_method": "net_worth", "company_dso_coefficient": 1.2}
        )
        self.assertEqual(self.policy.limit_method, "net_worth")
        factor = self.model.factor_ids.filtered(lambda f: f.code == "payment_rate")
        factor.with_user(self.manager).write({"weight": 20})
        self.assertEqual(self.model.total_weight, 105.0)
        self.model.override_ids[:1].with_user(self.manager).write({"grade": "CC"})
        self.assertEqual(self.model.override_ids[:1].grade, "CC")

    def test_everyone_in_credit_reads_the_policy(self):
        for user in (self.salesperson, self.credit_user, self.officer):
            self.assertEqual(self.policy.with_user(user).limit_method, "working_capital")

    def test_user_without_credit_group_cannot_read_credit_files(self):
        with self.assertRaises(AccessError):
            self.env["credit.file"].with_user(self.plain_employee).search([])
        with self.assertRaises(AccessError):
            self.file.with_user(self.plain_employee).read(["credit_limit"])
        with self.assertRaises(AccessError):
            self.env["credit.review"].with_user(self.plain_employee).search([])

    def test_user_without_credit_group_does_not_see_credit_fields_of_partners(self):
        with self.assertRaises(AccessError):
            self.acme.with_user(self.plain_employee).read(["credit_grade_id"])
        self.assertEqual(self.acme.with_user(self.plain_employee).read(["name"])[0]["name"], "Acme")

    def test_only_officers_dismiss_warning_signs(self):
        warning = self.env["credit.warning"].create(
            {"file_id": self.file.id, "kind": "other", "details": "Rumours"}
        )
        with self.assertRaises(AccessError):
            warning.with_user(self.credit_user).action_dismiss()
        warning.with_user(self.officer).action_dismiss()
        self.assertEqual(warning.state, "dismissed")
