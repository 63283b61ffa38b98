from unittest import mock

from odoo.tests import TransactionCase, tagged

from ..demo.credit_demo_builder import DemoBuilder


@tagged("post_install", "-at_install")
class TestDemoLanguages(TransactionCase):
    """The demo speaks English to English users and to customers outside China, and
    Chinese to customers in China when Chinese is loaded; its stories are told in
    English. (The test databases are built with the demo data.)"""

    def _partner(self, name):
        return self.env.ref(f"credit_management.demo_partner_{name}")

    def test_english_is_active_and_the_language_of_the_demo_users(self):
        self.assertTrue(self.env["res.lang"].search_count([("code", "=", "en_US")]))
        for xmlid in (
            "base.user_admin",
            "credit_management.demo_user_salesperson",
            "credit_management.demo_user_officer",
            "credit_management.demo_user_manager",
        ):
            self.assertEqual(self.env.ref(xmlid).lang, "en_US", xmlid)
        self.assertEqual(self._partner("redwood").lang, "en_US")

    def test_customers_in_china_read_chinese_when_it_is_loaded_the_others_english(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["res.users"].browse(self.env.uid).lang = "zh_CN"  # as an installer might
        DemoBuilder(self.env).set_languages()
        for name in ("huaxin", "huaxin_finance", "xinyuan", "kaiyue", "pacific"):
            self.assertEqual(self._partner(name).lang, "zh_CN", name)
        for name in ("redwood", "redwood_owner", "bluewater", "northgate"):
            self.assertEqual(self._partner(name).lang, "en_US", name)
        self.assertEqual(self.env.ref("base.user_admin").lang, "en_US")

    def test_without_chinese_every_customer_reads_english(self):
        self.assertFalse(self.env["res.lang"].search_count([("code", "=", "zh_CN")]))
        DemoBuilder(self.env).set_languages()
        self.assertEqual(self._partner("huaxin").lang, "en_US")

    def test_the_demo_stories_are_told_in_english_whatever_the_installers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        told_in = []
        with (
            mock.patch.object(DemoBuilder, "_built", return_value=False),
            mock.patch.object(
                DemoBuilder,
                "_build_histories",
                autospec=True,
                side_effect=lambda builder: told_in.append(builder.env.lang),
            ),
        ):
            DemoBuilder(self.env(context=dict(self.env.context, lang="zh_CN"))).build()
        self.assertEqual(told_in, ["en_US"])
