from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

from odoo.addons.credit_management.credit_management.checks import Failure

I18N = Path(__file__).resolve().parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_of_the_bridge_has_a_chinese_translation(self):
        reader = TranslationModuleReader(self.env.cr, modules=["credit_management_stock"])
        terms = {source for _module, _type, _name, _id, source, _value, _comments in reader}
        self.assertTrue(terms)
        translated = {entry.msgid for entry in polib.pofile(str(I18N / "zh_CN.po")) if entry.msgstr}
        self.assertEqual(sorted(terms - translated), [])

    def test_the_delivery_checkpoint_speaks_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["credit_management_stock"], ["zh_CN"], overwrite=True
        )
        field = self.env["ir.model.fields"]._get("credit.policy", "check_deliveries")
        self.assertEqual(field.with_context(lang="zh_CN").field_description, "检查发货")
        Hold = self.env["credit.hold"].with_context(lang="zh_CN")
        message = Hold._failure_messages(
            [Failure("stop_deliveries", {})], self.env.company.currency_id
        )
        self.assertEqual(message, ["该客户已被停止发货。"])
