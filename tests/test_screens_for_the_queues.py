from lxml import etree

from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon

ADDON = "credit_management"

SEARCH_VIEWS = {
    # search view: the filters and group-bys (by name) users reach for on that list
    "credit_management.res_partner_view_search_credit": {
        "credit_overdue",
        "credit_over_limit",
        "salesperson",
    },
    "credit_management.credit_file_view_search": {
        "overdue",
        "over_limit",
        "on_hold",
        "valid",
        "my_files",
        "group_grade",
        "group_officer",
        "group_company",
    },
    "credit_management.credit_hold_view_search": {
        "pending",
        "overdue",
        "mine",
        "group_state",
        "group_grade",
        "group_salesperson",
        "group_company",
    },
    "credit_management.credit_review_view_search": {
        "to_approve",
        "my_sales_customers",
        "group_state",
        "group_grade",
        "group_company",
    },
    "credit_management.credit_limit_request_view_search": {
        "submitted",
        "my_sales_customers",
        "group_state",
        "group_requested_by",
        "group_company",
    },
    "credit_management.credit_warning_view_search": {
        "open",
        "my_sales_customers",
        "group_kind",
        "group_state",
        "group_company",
    },
    "credit_management.credit_security_view_search": {
        "active_securities",
        "ending_soon",
        "group_state",
        "group_kind",
        "group_company",
    },
    "credit_management.credit_receivable_case_view_search": {
        "open",
        "overdue",
        "mine",
        "group_state",
        "group_user",
        "group_company",
    },
    "credit_management.credit_dunning_communication_view_search": {
        "to_send",
        "failed",
        "my_sales_customers",
        "group_state",
        "group_level",
        "group_channel",
        "group_company",
    },
    "credit_management.credit_collection_log_view_search": {
        "mine",
        "my_sales_customers",
        "filter_date",
        "group_channel",
        "group_collector",
        "group_company",
    },
    "credit_management.credit_payment_promise_view_search": {
        "open",
        "broken",
        "mine",
        "my_sales_customers",
        "group_state",
        "group_collector",
        "group_company",
    },
    "credit_management.credit_collection_worklist_view_search": {
        "mine",
        "urgent",
        "over_90",
        "group_grade",
        "group_collector",
        "group_company",
    },
}


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestScreensForTheQueues(CreditOrderCommon):
    """The lists users work from: a kanban for the officer's hold queue and the collector's
    worklist, a sentence instead of an empty screen on every list, and the filters and
    group-bys users reach for (grade, salesperson, state, overdue, company)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)
        cls._invoice(cls.acme, "2024-05-01", "2024-06-10", 3_000.0)

    def _arch(self, model, view_type, user=None):
        views = self.env[model].with_user(user or self.officer).get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    # ------------------------------------------------------------------
    # the officer's hold queue
    # ------------------------------------------------------------------
    def test_the_hold_queue_opens_as_a_kanban_by_state(self):
        action = self.env.ref("credit_management.credit_hold_action")
        self.assertIn("kanban", action.view_mode.split(","))
        arch = self._arch("credit.hold", "kanban")
        self.assertEqual(arch.get("default_group_by"), "state")
        shown = {field.get("name") for field in arch.iter("field")}
        for name in ("order_amount", "partner_id", "salesperson_id", "rule_labels", "age_days"):
            self.assertIn(name, shown)

    def test_a_hold_card_tells_amount_customer_salesperson_rules_and_age(self):
        order = self._quotation(self.acme, 8_000.0)
        order.with_user(self.salesperson).action_confirm()
        hold = order.credit_hold_ids
        self.assertEqual(hold.state, "pending")
        # owes 3,000.00, 20 days overdue: 11,000.00 > 10,000.00 and overdue money
        self.assertEqual(hold.order_amount, 8_000.0)
        self.assertEqual(hold.salesperson_id, self.salesperson)
        labels = self.env["credit.exposure"]._rule_labels()
        self.assertEqual(
            hold.rule_labels,
            ", ".join(labels[failure["rule"]] for failure in hold.failures),
        )
        self.assertIn(labels["limit"], hold.rule_labels)
        # held three days ago (the database stamps the creation with its own clock)
        self.env.cr.execute(
            "UPDATE credit_hold SET create_date = '2024-06-27 10:00:00' WHERE id = %s", [hold.id]
        )
        hold.invalidate_recordset(["create_date", "age_days"])
        self.assertEqual(hold.age_days, 3)
        groups = self.env["credit.hold"].read_group(
            [("id", "=", hold.id)], ["order_amount:sum"], ["salesperson_id"]
        )
        self.assertEqual(groups[0]["salesperson_id"][0], self.salesperson.id)

    # ------------------------------------------------------------------
    # the collector's worklist
    # ------------------------------------------------------------------
    def test_the_worklist_opens_as_a_kanban_too(self):
        action = self.env.ref("credit_management.credit_collection_worklist_action")
        self.assertIn("kanban", action.view_mode.split(","))
        arch = self._arch("credit.collection.worklist", "kanban")
        shown = {field.get("name") for field in arch.iter("field")}
        for name in ("partner_id", "overdue_amount", "oldest_days", "urgency", "collector_id"):
            self.assertIn(name, shown)
        rows = self.env["credit.collection.worklist"].web_search_read(
            [("partner_id", "=", self.acme.id)],
            {name: {} for name in ("overdue_amount", "oldest_days", "urgency")},
        )["records"]
        self.assertEqual(
            [(row["overdue_amount"], row["oldest_days"]) for row in rows], [(3_000.0, 20)]
        )

    # ------------------------------------------------------------------
    # every list
    # ------------------------------------------------------------------
    def test_every_list_of_the_addon_says_what_belongs_there_when_empty(self):
        """Every window action of the addon opening a list or kanban of the addon's models
        (or the customers) has an empty-state help; wizards and single forms have none."""
        actions = self.env["ir.actions.act_window"].browse(
            self.env["ir.model.data"]
            .search([("module", "=", ADDON), ("model", "=", "ir.actions.act_window")])
            .mapped("res_id")
        )
        lists = actions.filtered(lambda a: {"list", "kanban"} & set(a.view_mode.split(",")))
        self.assertGreaterEqual(len(lists), 20)
        for action in lists:
            with self.subTest(action=action.name):
                self.assertIn("o_view_nocontent_smiling_face", action.help or "")

    def test_each_main_search_view_has_the_filters_and_group_bys_users_reach_for(self):
        for xmlid, names in SEARCH_VIEWS.items():
            view = self.env.ref(xmlid)
            while view.mode != "primary":
                view = view.inherit_id
            arch = view._get_combined_arch()
            found = {node.get("name") for node in arch.iter("filter")}
            with self.subTest(view=xmlid):
                self.assertLessEqual(names, found)
