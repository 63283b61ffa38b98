from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..credit_management import provisions as core_provisions


class CreditWriteOff(models.TransientModel):
    """Write confirmed bad debts (呆坏账) off against the allowance (直接核销): one entry
    with, per item, a credit on the receivable for its whole open amount (in its own
    currency, so the item is fully reconciled) and, per customer, the debit on the
    allowance for doubtful accounts; each item is reconciled with its write-off line."""

    _name = "credit.write.off"
    _description = "Write Off Bad Debts"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    line_ids = fields.Many2many(
        "account.move.line",
        string="Doubtful Receivables",
        required=True,
        domain="[('company_id', '=', company_id), ('reconciled', '=', False),"
        " ('account_id.account_type', '=', 'asset_receivable'), ('parent_state', '=', 'posted')]",
    )
    reason = fields.Char(required=True, help="Why the debt is confirmed bad (court ruling, ...).")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.move.line" and context.get("active_ids"):
            lines = self.env["account.move.line"].browse(context["active_ids"])
            values["line_ids"] = [fields.Command.set(lines.ids)]
            values["company_id"] = lines.company_id[:1].id or values.get("company_id")
        elif context.get("active_model") == "credit.receivable.case" and context.get("active_id"):
            case = self.env["credit.receivable.case"].browse(context["active_id"])
            values["company_id"] = case.company_id.id
            values["line_ids"] = [fields.Command.set(self._open_items_of(case).ids)]
        return values

    @api.model
    def _open_items_of(self, case):
        return self.env["account.move.line"].search(
            [
                ("company_id", "=", case.company_id.id),
                ("partner_id", "child_of", case.partner_id.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", ">", 0),
            ]
        )

    def _check_items(self):
        company = self.company_id
        doubtful_partners = (
            self.env["credit.receivable.case"]._doubtful_partner_ids(company).get(company.id, set())
        )
        for line in self.line_ids:
            if (
                line.company_id != company
                or line.account_id.account_type != "asset_receivable"
                or line.parent_state != "posted"
                or line.reconciled
                or line.company_currency_id.compare_amounts(line.amount_residual, 0) <= 0
            ):
                raise UserError(
                    self.env._(
                        "%(item)s is not an open receivable of %(company)s.",
                        item=line.display_name,
                        company=company.name,
                    )
                )
            if self.date < line.date:
                raise UserError(
                    self.env._(
                        "%(item)s is dated %(item_date)s: it cannot be written off on %(date)s, "
                        "before it was booked.",
                        item=line.display_name,
                        item_date=fields.Date.to_string(line.date),
                        date=fields.Date.to_string(self.date),
                    )
                )
            days = (self.date - (line.date_maturity or line.date)).days
            if days <= 0:
                raise UserError(
                    self.env._(
                        "%(item)s is not due yet on %(date)s: only overdue debts are written off.",
                        item=line.display_name,
                        date=fields.Date.to_string(self.date),
                    )
                )
            doubtful = (
                line.credit_doubtful
                or line.partner_id.commercial_partner_id.id in doubtful_partners
                or core_provisions.classify(days, company.credit_doubtful_days)
                == core_provisions.DOUBTFUL
            )
            if not doubtful:
                raise UserError(
                    self.env._(
                        "%(item)s is not classified as doubtful: only doubtful debts are "
                        "written off.",
                        item=line.display_name,
                    )
                )

    def action_write_off(self):
        self.ensure_one()
        self.env["credit.provision"]._check_can_post()
        company = self.company_id
        if not company.credit_provision_journal_id or not company.credit_allowance_account_id:
            raise UserError(
                self.env._(
                    "Set the provision journal and the allowance account of %(company)s in the "
                    "credit settings before writing debts off.",
                    company=company.name,
                )
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for the write-off."))
        self._check_items()
        label = self.env._("Bad-debt write-off: %(reason)s", reason=self.reason)
        commands = []
        per_partner = defaultdict(float)
        for line in self.line_ids:
            partner = line.partner_id.commercial_partner_id
            per_partner[partner.id] += line.amount_residual
            commands.append(
                fields.Command.create(
                    {
                        "name": label,
                        "account_id": line.account_id.id,
                        "partner_id": line.partner_id.id,
                        "currency_id": line.currency_id.id,
                        "amount_currency": -line.amount_residual_currency,
                        "balance": -line.amount_residual,
                    }
                )
            )
        for partner_id, amount in per_partner.items():
            commands.append(
                fields.Command.create(
                    {
                        "name": label,
                        "account_id": company.credit_allowance_account_id.id,
                        "partner_id": partner_id,
                        "balance": company.currency_id.round(amount),
                    }
                )
            )
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": company.credit_provision_journal_id.id,
                    "date": self.date,
                    "ref": label,
                    "credit_write_off": True,
                    "line_ids": commands,
                }
            )
        )
        move.action_post()
        write_off_lines = move.line_ids.filtered(
            lambda ml: ml.account_id.account_type == "asset_receivable"
        )
        for item, counterpart in zip(self.line_ids, write_off_lines.sorted("id"), strict=True):
            (item + counterpart).sudo().reconcile()
        for origin in self.line_ids.move_id:
            origin.sudo().message_post(
                body=self.env._("Written off as bad debt by %(move)s.", move=move.display_name)
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": move.id,
            "view_mode": "form",
        }
