from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader, code_translations

I18N = Path(__file__).resolve().parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_of_the_bridge_has_a_chinese_translation(self):
        reader = TranslationModuleReader(self.env.cr, modules=["credit_management_pos"])
        terms = {source for _module, _type, _name, _id, source, _value, _comments in reader}
        self.assertTrue(terms)
        translated = {entry.msgid for entry in polib.pofile(str(I18N / "zh_CN.po")) if entry.msgstr}
        self.assertEqual(sorted(terms - translated), [])

    def test_the_till_speaks_chinese(self):
        reader = TranslationModuleReader(self.env.cr, modules=["credit_management_pos"])
        js_terms = {
            source
            for _module, _type, name, _id, source, _value, _comments in reader
            if name.endswith(".js")
        }
        self.assertIn("Customer account refused", js_terms)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["credit_management_pos"], ["zh_CN"], overwrite=True
        )
        field = self.env["ir.model.fields"]._get("credit.policy", "exposure_pos_orders")
        self.assertEqual(field.with_context(lang="zh_CN").field_description, "POS赊账订单")
        web = code_translations.get_web_translations("credit_management_pos", "zh_CN")
        messages = {message["id"]: message["string"] for message in web["messages"]}
        self.assertEqual(messages["Customer account refused"], "客户赊账被拒绝")
        Exposure = self.env["credit.exposure"].with_context(lang="zh_CN")
        labels = {
            category.code: Exposure.env._(category.label)
            for category in Exposure._exposure_categories()
        }
        self.assertEqual(labels["pos_orders"], "POS赊账订单")
