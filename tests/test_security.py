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
