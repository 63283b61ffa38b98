from odoo.tests import TransactionCase, new_test_user


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
