from datetime import date, timedelta

from odoo import Command

from .common import CreditLedgerCommon

DAY = date(2024, 6, 30)
"""The run date of most dunning tests (frozen as today)."""


def days(n, start=DAY):
    return start + timedelta(days=n)


class DunningCommon(CreditLedgerCommon):
    """The source practice's policy in the test company: reminders 7 and 3 days before due
    and a visit on the due day (all skippable), then +15 e-mail with the invoices, +30 letter
    with a fixed fee of 50, +60 phone call with penalty interest 0.05 %/day (minimum 10, cap
    500) and credit hold, +90 legal hand-over with deliveries stopped; at least 7 days
    between two contacts about the same item."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.template_before = cls.env.ref("credit_management.mail_template_dunning_before_due")
        cls.template_overdue = cls.env.ref("credit_management.mail_template_dunning_overdue")
        cls.letter = cls.env.ref("credit_management.action_report_dunning_letter")
        cls.dunning = cls._dunning_policy("Practice", is_default=True)
        cls.level = {level.days: level for level in cls.dunning.level_ids}

    @classmethod
    def _dunning_policy(cls, name, company=None, **values):
        company = company or cls.company
        return cls.env["credit.dunning.policy"].create(
            {
                "name": name,
                "company_id": company.id,
                "min_days_between": 7,
                "collector_id": cls.officer.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": "One week before",
                            "days": -7,
                            "channel": "email",
                            "mail_template_id": cls.template_before.id,
                            "skippable": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Three days before",
                            "days": -3,
                            "channel": "email",
                            "mail_template_id": cls.template_before.id,
                            "skippable": True,
                        }
                    ),
                    Command.create(
                        {"name": "Visit", "days": 0, "channel": "visit", "skippable": True}
                    ),
                    Command.create(
                        {
                            "name": "First reminder",
                            "days": 15,
                            "channel": "email",
                            "mail_template_id": cls.template_overdue.id,
                            "attach_invoices": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Letter",
                            "days": 30,
                            "channel": "letter",
                            "letter_report_id": cls.letter.id,
                            "fee_type": "fixed",
                            "fee_amount": 50.0,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Phone",
                            "days": 60,
                            "channel": "phone",
                            "fee_type": "interest",
                            "interest_rate": 0.05,
                            "fee_min": 10.0,
                            "fee_cap": 500.0,
                            "set_credit_hold": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Legal",
                            "days": 90,
                            "channel": "legal",
                            "set_credit_hold": True,
                            "stop_deliveries": True,
                        }
                    ),
                ],
                **values,
            }
        )

    @classmethod
    def _debtor(cls, name, email=True, **values):
        return cls._customer(
            name,
            email=f"{name.lower().replace(' ', '.')}@example.com" if email else False,
            **values,
        )

    def _run(self, on=DAY, company=None, user=None, send=False):
        """The run of ``on`` computed by the officer (or ``user``), then sent if ``send``
        (without rendering documents)."""
        company = company or self.company
        Run = self.env["credit.dunning.run"].with_user(user or self.officer).with_company(company)
        run = Run._get_or_create(company, on)
        run.action_compute()
        if send:
            self._send_all(run)
        return run

    def _send_all(self, run, documents=False):
        run.with_user(self.officer).action_send()
        run = run.with_context(credit_dunning_no_documents=not documents)
        while run.state == "sending":
            run._send_batch()

    def _communications(self, run, partner=None):
        comms = run.communication_ids.filtered(lambda c: c.state != "cancel")
        if partner:
            comms = comms.filtered(lambda c: c.partner_id == partner)
        return comms

    @staticmethod
    def _levels(comms):
        return sorted(comms.mapped("level_id.days"))
