from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import CreditLedgerCommon

MODULES = ("credit_management", "credit_management_stock")
"""The addon and its bridges: every model they define is walked."""

SHARED_DIRECTORIES = {"res.company", "res.users", "res.partner"}
"""Models every company reads (a partner or a user is shared unless Odoo's own rules say
otherwise): a link to them alone does not make a record company data."""

NOT_POPULATED = {
    "credit.write.off": "writing off needs doubtful items and a provision journal and accounts "
    "(test_provision covers it); its rule is checked above all the same",
}
"""Company-data models left without rows of company A here, and why."""


def company_fields(model):
    """The stored fields of ``model`` naming its company (``company_id``, ``company_ids``)."""
    return [
        field
        for field in model._fields.values()
        if field.store
        and field.type in ("many2one", "many2many")
        and field.comodel_name == "res.company"
    ]


def holds_company_data(model):
    """A model holds company data when a stored field names a company, or when a stored
    link points at records that belong to a company (e.g. a review line's review, a
    wizard's holds or journal items): such a record tells about one company's business,
    so it needs a company and a rule. Links to the shared directories (partners, users)
    do not count; links to models without a company (the grade scale) neither."""
    if company_fields(model):
        return True
    env = model.env
    for field in model._fields.values():
        if not field.store or field.type not in ("many2one", "many2many"):
            continue
        if field.name in ("create_uid", "write_uid") or field.comodel_name in SHARED_DIRECTORIES:
            continue
        comodel = env[field.comodel_name]
        if "company_id" in comodel._fields or "company_ids" in comodel._fields:
            return True
    return False


@tagged("post_install", "-at_install")
class TestCompanyIsolation(CreditLedgerCommon):
    """Every model of the addon (and its bridges) that holds company data has a global
    multi-company rule, and a user of company B only reads none of the rows of the other
    companies: the demo's company (the demo data is installed in the test database) and
    the test company A, where more rows are made here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.demo_company = cls.env.ref("base.main_company")
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.user_b = new_test_user(
            cls.env,
            login="cm_isolation_b",
            groups="credit_management.group_credit_manager,account.group_account_manager,"
            "sales_team.group_sale_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.models = cls._addon_models()
        cls._populate_company_a()

    @classmethod
    def _addon_models(cls):
        """The non-abstract models defined (not only extended) by the addon's modules, found
        through the ir.model records the modules own."""
        data = cls.env["ir.model.data"].search(
            [("model", "=", "ir.model"), ("module", "in", MODULES)]
        )
        names = set(cls.env["ir.model"].browse(data.mapped("res_id")).mapped("model"))
        return [
            cls.env[name]
            for name in sorted(names)
            if name in cls.env
            and not cls.env[name]._abstract
            and cls.env[name]._original_module in MODULES
        ]

    @classmethod
    def _populate_company_a(cls):
        """Rows of company A for the models the demo leaves empty there or elsewhere."""
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company_a.ids))
        acme, _file = cls._a_grade_customer("Acme Isolation")
        overdue = cls._invoice(acme, "2024-01-02", "2024-02-01", 500.0)
        default_model = cls.env["credit.scoring.model"].search(
            [("company_id", "=", False)], limit=1
        )
        model_a = default_model.copy({"company_id": cls.company_a.id})
        env["credit.policy"].create(
            {"name": "Policy of A", "company_id": cls.company_a.id, "scoring_model_id": model_a.id}
        )
        env["credit.receivable.case"].sudo()._update_cases(cls.company_a)
        report = env["credit.aging.report"].create(
            {"company_ids": [Command.set(cls.company_a.ids)]}
        )
        report._lines()[:1].action_open_items()
        env["credit.kpi.dashboard"].create({})
        env["credit.budget"].create({"company_id": cls.company_a.id, "amount": 1_000_000.0})
        env["credit.statement.wizard"].create({"company_id": cls.company_a.id})
        receivable = overdue.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        env["credit.dunning.dispute"].create(
            {"move_line_ids": [Command.set(receivable.ids)], "reason": "Damaged"}
        )
        env["credit.doubtful.wizard"].create(
            {"line_ids": [Command.set(receivable.ids)], "reason": "Bankrupt"}
        )
        provision = env["credit.provision"].create({"company_id": cls.company_a.id})
        provision.action_compute()
        hold = (
            cls.env["credit.hold"]
            .sudo()
            .search([("company_id", "=", cls.demo_company.id)], limit=1)
        )
        cls.env["credit.hold.decision"].sudo().create(
            {"hold_ids": [Command.set(hold.ids)], "reason": "Known customer"}
        )
        env.flush_all()

    def _rows_of_other_companies(self, model):
        """As superuser: the rows of ``model`` that belong to a company other than B."""
        domain = []
        for field in company_fields(model):
            if field.type == "many2one":
                domain += [(field.name, "!=", False), (field.name, "!=", self.company_b.id)]
            else:
                domain += [(field.name, "!=", False), (field.name, "not in", self.company_b.ids)]
        return (
            model.sudo()
            .with_context(active_test=False, **self._model_context(model))
            .search(domain)
        )

    def _model_context(self, model):
        """The aged receivables' lines and open items are SQL models computed for the
        report options in the context: asked for companies A and the demo's, as superuser
        they hold those companies' rows, and a user of B, asking the same, must get none."""
        if model._name in ("credit.aging.report.line", "credit.aging.report.item"):
            companies = [self.company_a.id, self.demo_company.id]
            return {"credit_aging_options": {"company_ids": companies}}
        return {}

    def test_the_walk_finds_the_addons_models(self):
        names = {model._name for model in self.models}
        self.assertLessEqual(
            {"credit.file", "credit.review.line", "credit.hold.decision", "credit.grade"}, names
        )
        self.assertNotIn("res.partner", names, "extended models keep Odoo's own rules")
        self.assertNotIn("credit.decision.mixin", names, "abstract models hold no rows")

    def test_a_model_without_company_data_is_the_grade_scale(self):
        without = {model._name for model in self.models if not holds_company_data(model)}
        self.assertEqual(without, {"credit.grade"})

    def _models_without_company_rule(self):
        """The models holding company data without an active global rule on the user's
        companies for reading (group rules only add to each other, so they cannot isolate)."""
        Rule = self.env["ir.rule"].sudo()
        missing = []
        for model in self.models:
            if not holds_company_data(model):
                continue
            rules = Rule.search(
                [
                    ("model_id.model", "=", model._name),
                    ("active", "=", True),
                    ("perm_read", "=", True),
                    ("groups", "=", False),
                ]
            ).filtered(lambda rule: "company_ids" in (rule.domain_force or ""))
            if not rules or not company_fields(model):
                missing.append(model._name)
        return missing

    def test_every_model_with_company_data_has_a_global_company_rule(self):
        self.assertEqual(self._models_without_company_rule(), [])

    def test_a_model_losing_its_rule_is_found(self):
        self.env.ref("credit_management.rule_credit_review_line_company").sudo().active = False
        self.assertEqual(self._models_without_company_rule(), ["credit.review.line"])

    def _env_b(self):
        return self.env(
            user=self.user_b,
            context=dict(self.env.context, allowed_company_ids=self.company_b.ids),
        )

    def test_without_its_rule_company_b_would_read_the_review_lines_of_others(self):
        lines = self._rows_of_other_companies(self.env["credit.review.line"])
        self.env.ref("credit_management.rule_credit_review_line_company").sudo().active = False
        self.env.invalidate_all()
        Lines_b = self._env_b()["credit.review.line"]
        self.assertEqual(Lines_b.search_count([("id", "in", lines.ids)]), len(lines))

    def test_a_user_of_company_b_reads_no_row_of_another_company(self):
        env_b = self._env_b()
        for model in self.models:
            if not holds_company_data(model):
                continue
            with self.subTest(model=model._name):
                theirs = self._rows_of_other_companies(model)
                if model._name in NOT_POPULATED:
                    self.assertFalse(theirs, "listed as not populated: update NOT_POPULATED")
                else:
                    self.assertTrue(theirs, "rows of another company to hide")
                Model_b = env_b[model._name].with_context(
                    active_test=False, **self._model_context(model)
                )
                self.assertTrue(Model_b.has_access("read"), "the user of B may read the model")
                self.assertEqual(Model_b.search_count([("id", "in", theirs.ids)]), 0)
                self.assertFalse(Model_b.search([]) & theirs.with_env(env_b))
