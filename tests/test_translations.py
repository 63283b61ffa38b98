from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = Path(__file__).resolve().parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_of_the_addon_has_a_chinese_translation(self):
        reader = TranslationModuleReader(self.env.cr, modules=["credit_management"])
        # Odoo attributes every file under the addon's folder to it, the bridge modules in
        # bridges/ included: their terms are theirs (bridges/<module>/i18n), not ours.
        terms = {
            source
            for _module, _type, name, _id, source, _value, _comments in reader
            if "/credit_management/bridges/" not in name
        }
        self.assertTrue(terms)
        translated = {entry.msgid for entry in polib.pofile(str(I18N / "zh_CN.po")) if entry.msgstr}
        self.assertEqual(sorted(terms - translated), [])

    def test_the_ui_speaks_chinese_once_zh_cn_is_loaded(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["credit_management"], ["zh_CN"], overwrite=True
        )
        menu = self.env.ref("credit_management.menu_credit_root").with_context(lang="zh_CN")
        self.assertEqual(menu.name, "信用管理")
        grade = self.env.ref("credit_management.grade_b").with_context(lang="zh_CN")
        self.assertEqual(grade.name, "弱，风险高：现款现货")
        field = self.env["ir.model.fields"]._get("credit.grade", "sales_mode")
        self.assertEqual(field.with_context(lang="zh_CN").field_description, "销售方式")
