import base64
import functools
import logging
import subprocess

from lxml import etree, html
from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, config

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

from .credit_decision_mixin import audit_writer
from .credit_dunning_level import CHANNELS

_logger = logging.getLogger(__name__)

DEFAULT_ACTIVITY = {
    "phone": "mail.mail_activity_data_call",
    "visit": "mail.mail_activity_data_meeting",
    "legal": "mail.mail_activity_data_todo",
}
"""Activity given to the collector for channels a person carries out, when the level names
no activity type of its own."""


@functools.cache
def wkhtmltopdf_takes_several_documents():
    """Whether the installed wkhtmltopdf renders several documents in one call: only the
    builds with patched Qt do (the ones Odoo recommends); the builds of Debian and Ubuntu
    refuse "more than one input document", so Odoo prints several records with them only
    one by one."""
    try:
        version = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"], capture_output=True, check=False, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return b"patched qt" in version.lower()


class CreditDunningCommunication(models.Model):
    """One contact with one customer at one level of its dunning policy, grouping the open
    items that reached that level in a run: an e-mail, a letter, a call, a visit or a
    hand-over. Created in bulk by the run (see ``credit.dunning.run``), previewed, then sent
    in batches in the background."""

    _name = "credit.dunning.communication"
    _description = "Dunning Communication"
    _inherit = ["mail.thread", "mail.activity.mixin", "credit.decision.mixin"]
    _order = "date desc, partner_id, level_days, id"
    _check_company_auto = True
    # what was sent, when, and why not: written by the sending and cancelling only
    _credit_audit_fields = frozenset(
        {
            "state",
            "sent_date",
            "failure_reason",
            "mail_id",
            "letter_attachment_id",
            "fee_invoice_id",
        }
    )
    _credit_audit_defaults = {"state": "draft"}

    run_id = fields.Many2one(
        "credit.dunning.run", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    file_id = fields.Many2one("credit.file", string="Credit File", readonly=True)
    policy_id = fields.Many2one("credit.dunning.policy", readonly=True)
    level_id = fields.Many2one("credit.dunning.level", required=True, readonly=True)
    level_days = fields.Integer(readonly=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    collector_id = fields.Many2one("res.users", index=True)
    state = fields.Selection(
        [
            ("draft", "To Send"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancel", "Cancelled"),
        ],
        required=True,
        default="draft",
        readonly=True,
        index=True,
    )
    failure_reason = fields.Text(readonly=True)
    line_ids = fields.One2many(
        "credit.dunning.communication.line", "communication_id", string="Items", readonly=True
    )
    item_count = fields.Integer(readonly=True)
    amount_due = fields.Monetary(
        string="Amount Dunned",
        readonly=True,
        currency_field="currency_id",
        help="Open amount of the items in this communication on the run's date.",
    )
    fee_amount = fields.Monetary(string="Fee", readonly=True, currency_field="currency_id")
    interest_amount = fields.Monetary(
        string="Penalty Interest", readonly=True, currency_field="currency_id"
    )
    total_amount = fields.Monetary(
        string="Total Claimed", readonly=True, currency_field="currency_id"
    )
    mail_id = fields.Many2one("mail.mail", string="E-mail", readonly=True, ondelete="set null")
    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letter", readonly=True, ondelete="set null"
    )
    sent_date = fields.Datetime(readonly=True)
    fee_invoice_id = fields.Many2one(
        "account.move",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The customer invoice that charged this communication's fee and penalty interest "
        "(levels that invoice their fees), made when it was sent.",
    )
    fee_invoice_state = fields.Selection(
        related="fee_invoice_id.state", string="Fee Invoice Status"
    )
    log_ids = fields.One2many("credit.collection.log", "communication_id", string="Contacts")
    preview_subject = fields.Char(
        string="Subject", compute="_compute_preview", help="The subject of the e-mail."
    )
    preview_body = fields.Html(
        string="Preview",
        compute="_compute_preview",
        sanitize=False,
        help="What the customer receives, in its language: the e-mail of the level's template "
        "or the letter.",
    )

    @api.depends_context("lang")
    def _compute_preview(self):
        """The text the customer will receive, rendered as the sending renders it (the
        level's e-mail template, the letter report), in the customer's language. Levels a
        person carries out (call, visit, legal hand-over) send no text."""
        for communication in self:
            communication.preview_subject = False
            communication.preview_body = False
            level = communication.level_id
            if not communication.id or not level:
                continue
            parts = []
            if communication.channel == "email" and level.mail_template_id:
                template = level.mail_template_id
                communication.preview_subject = template._render_field(
                    "subject", communication.ids, compute_lang=True
                )[communication.id]
                parts.append(
                    template._render_field("body_html", communication.ids, compute_lang=True)[
                        communication.id
                    ]
                )
            if communication.channel in ("email", "letter") and level.letter_report_id:
                parts.append(communication._letter_preview())
            if parts:
                communication.preview_body = Markup("<hr/>").join(Markup(part) for part in parts)
            else:
                communication.preview_body = Markup("<p><em>%s</em></p>") % _(
                    "Nothing is sent to the customer at this level: the collector gets an "
                    "activity to carry it out."
                )

    def _letter_preview(self):
        """The letter's body (address and page, without the document's head) as HTML."""
        report = self.level_id.letter_report_id
        content, _kind = (
            self.env["ir.actions.report"]
            .with_context(lang=self.partner_id.lang or self.env.lang)
            ._render_qweb_html(report.report_name, self.ids)
        )
        tree = html.fromstring(content)
        article = tree.xpath("//div[contains(concat(' ', @class, ' '), ' article ')]")
        node = article[0] if article else tree
        return etree.tostring(node, encoding="unicode", method="html")

    _sql_constraints = [
        (
            "run_partner_level_unique",
            "unique(run_id, partner_id, level_id)",
            "A run contacts a customer once per level.",
        ),
    ]

    @api.depends("partner_id", "level_id", "date")
    def _compute_display_name(self):
        for communication in self:
            communication.display_name = _(
                "%(level)s - %(customer)s (%(date)s)",
                level=communication.level_id.name or "",
                customer=communication.partner_id.name or "",
                date=communication.date or "",
            )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_cancel(self):
        """Leave a communication out of its run (in the preview): its items go back to the
        level they had reached before, so the next run proposes them again."""
        self.env["credit.file"]._check_officer()
        if any(c.state != "draft" for c in self):
            raise UserError(_("Only communications not sent yet can be cancelled."))
        self._cancel_drafts()
        return True

    def _cancel_drafts(self):
        """Cancel these draft communications and give their items back the level they had
        reached before (no access check: the run calls it for the drafts it supersedes)."""
        self._restore_item_states()
        with audit_writer(self.env):
            self._cancel_fee_invoices(_("the communication was cancelled"))
            self.write({"state": "cancel"})

    def _restore_item_states(self, lines=None):
        """Put the items of these communications (or only ``lines``) back where they were
        before the communication, unless a later communication has moved them since."""
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """
            UPDATE credit_dunning_item_state st
               SET level_id = l.previous_level_id,
                   level_date = l.previous_level_date,
                   interest_date = l.previous_interest_date,
                   communication_id = l.previous_communication_id,
                   write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
              FROM credit_dunning_communication_line l
             WHERE l.communication_id = ANY(%(ids)s)
               AND (%(lines)s::int[] IS NULL OR l.id = ANY(%(lines)s::int[]))
               AND st.move_line_id = l.move_line_id
               AND st.communication_id = l.communication_id
                """,
                ids=self.ids,
                lines=lines.ids if lines is not None else None,
                uid=self.env.uid,
            )
        )
        self.env["credit.dunning.item.state"].invalidate_model()

    def _mark_items_reached(self):
        """The items of this communication reached its level (again, for a communication
        sent after a failure put them back), unless a later communication has moved them."""
        self.ensure_one()
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """
            UPDATE credit_dunning_item_state st
               SET level_id = c.level_id,
                   level_date = c.date,
                   interest_date = CASE WHEN l.interest_days > 0 THEN c.date
                                        ELSE l.previous_interest_date END,
                   communication_id = c.id,
                   write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
              FROM credit_dunning_communication_line l
              JOIN credit_dunning_communication c ON c.id = l.communication_id
             WHERE c.id = %(id)s
               AND st.move_line_id = l.move_line_id
               AND st.communication_id IS DISTINCT FROM c.id
               AND st.communication_id IS NOT DISTINCT FROM l.previous_communication_id
                """,
                id=self.id,
                uid=self.env.uid,
            )
        )
        self.env["credit.dunning.item.state"].invalidate_model()

    def _drop_settled_items(self):
        """Leave out of this communication the items paid or disputed since the preview
        (their states go back to where they were) and bring the open amounts of the others
        up to date; the amounts, fees and interest are computed again. Returns whether any
        item is left to dun."""
        self.ensure_one()
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT l.id, aml.amount_residual, aml.amount_residual_currency,
                   aml.reconciled IS TRUE OR aml.amount_residual <= 0
                   OR aml.parent_state != 'posted' OR st.disputed IS TRUE
              FROM credit_dunning_communication_line l
              JOIN account_move_line aml ON aml.id = l.move_line_id
         LEFT JOIN credit_dunning_item_state st ON st.move_line_id = l.move_line_id
             WHERE l.communication_id = %(id)s
                """,
                id=self.id,
            )
        )
        Line = self.env["credit.dunning.communication.line"]
        settled = Line.browse([row[0] for row in rows if row[3]])
        currency = self.company_id.currency_id
        changed = {
            line_id: (float(residual), float(residual_currency))
            for line_id, residual, residual_currency, drop in rows
            if not drop
            and currency.compare_amounts(float(residual), Line.browse(line_id).amount_residual)
        }
        if not (settled or changed):
            return bool(rows)
        if settled:
            self._restore_item_states(settled)
            settled.unlink()
        for line_id, (residual, residual_currency) in changed.items():
            Line.browse(line_id).write(
                {"amount_residual": residual, "amount_residual_currency": residual_currency}
            )
        self.env.flush_all()
        self.run_id._update_amounts(
            self.ids, {self.level_id.id: self.level_id}, self.company_id.currency_id
        )
        self.invalidate_recordset()
        return len(rows) > len(settled)

    def action_open_preview(self):
        """The communication with the text it sends (from the run's list)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_send_now(self):
        """Send these communications at once instead of waiting for the background job."""
        self.env["credit.file"]._check_officer()
        self.filtered(lambda c: c.state in ("draft", "failed")).sudo()._send_chunk()
        return True

    def action_print_letter(self):
        self.ensure_one()
        report = self.level_id.letter_report_id or self.env.ref(
            "credit_management.action_report_dunning_letter"
        )
        return report.report_action(self)

    def action_view_fee_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.fee_invoice_id.id,
            "view_mode": "form",
            "views": [(self.env.ref("account.view_move_form").id, "form")],
            "target": "current",
        }

    def action_log_contact(self):
        """Open a new collection log entry for this communication (call, visit...)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.collection.log",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_communication_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_channel": self.channel,
            },
        }

    # ------------------------------------------------------------------
    # sending
    # ------------------------------------------------------------------
    def _send_chunk(self):
        """Send these communications, their PDFs rendered beforehand in one report call per
        report: the letters of all of them in one call, the invoices they attach in another
        (wkhtmltopdf costs about a second per call whatever the number of pages, so one
        call per letter made sending slow). The items paid or disputed since the preview
        are left out first, so the letters show what is still due. Then each communication
        is sent in its own savepoint, as ``_send_safely`` says."""
        rendered = {}
        # the demo replays past runs without rendering PDFs, to install fast
        if not self.env.context.get("credit_dunning_no_documents"):
            for communication in self:
                communication._drop_settled_items_quietly()
            rendered = self._render_documents()
        for communication in self:
            communication._send_safely(rendered)

    def _drop_settled_items_quietly(self):
        """``_drop_settled_items`` before the PDFs are rendered; an error here is left for
        ``_send_safely`` to meet again and record on the communication."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._drop_settled_items()
        except Exception:  # recorded when the communication is sent
            _logger.debug("Dunning communication %s: items not refreshed", self.id, exc_info=True)

    def _render_documents(self):
        """The PDFs these communications will attach, rendered in one report call per
        report: ``{("letter", communication id) or ("invoice", invoice id): (content,
        kind)}``. Communications with nothing left to dun, and e-mails to customers without
        an address, are not rendered (they will not be sent)."""
        sendable = self.filtered(
            lambda c: (
                c.state in ("draft", "failed")
                and c.line_ids
                and c.channel in ("email", "letter")
                and (c.channel == "letter" or c.partner_id.email)
            )
        )
        rendered = {}
        for report in sendable.level_id.letter_report_id:
            letters = sendable.filtered(lambda c, r=report: c.level_id.letter_report_id == r)
            for res_id, document in self._render_pdfs(report.report_name, letters).items():
                rendered[("letter", res_id)] = document
        invoices = (
            sendable.filtered(lambda c: c.channel == "email" and c.level_id.attach_invoices)
            .line_ids.move_id.filtered(
                lambda m: m.is_invoice(include_receipts=True) and not m.invoice_pdf_report_id
            )
            .sorted("id")
        )
        for res_id, document in self._render_pdfs("account.account_invoices", invoices).items():
            rendered[("invoice", res_id)] = document
        return rendered

    @api.model
    def _render_pdfs(self, report_ref, records):
        """``{record id: (content, kind)}`` of ``records`` rendered in one report call and
        split per record, as Odoo's invoice sending does (``_pre_render_qweb_pdf`` then
        ``_get_splitted_report``: the PDF is cut at each record's first heading). Records
        the split could not separate, or all of them when the call fails or wkhtmltopdf
        cannot take several documents, are missing: they are rendered one by one when
        sent, where an error fails only their own communication."""
        if not records:
            return {}
        html_only = (config["test_enable"] or config["test_file"]) and not self.env.context.get(
            "force_report_rendering"
        )  # as ``_pre_render_qweb_pdf`` decides
        if not (html_only or wkhtmltopdf_takes_several_documents()):
            return {}
        Report = self.env["ir.actions.report"]
        try:
            with self.env.cr.savepoint():
                content, kind = Report._pre_render_qweb_pdf(report_ref, res_ids=records.ids)
                by_id = Report._get_splitted_report(report_ref, content, kind)
        except Exception:  # each record is rendered again on its own
            _logger.info("%s: rendering %s records at once failed", report_ref, len(records))
            return {}
        return {res_id: (by_id[res_id], kind) for res_id in records.ids if by_id.get(res_id)}

    def _send_safely(self, rendered=None):
        """Send one communication in a savepoint: a failure (no e-mail address, a report
        that does not render, any error) marks it failed with the reason, leaves nothing
        half-done and puts its items back to the level they had reached before, so that the
        next run proposes them again; the other communications go on."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint(), audit_writer(self.env):
                self._send(rendered or {})
        except Exception as error:  # one bad communication never stops the others
            if isinstance(error, UserError):
                reason = error.args[0]
                _logger.info("Dunning communication %s not sent: %s", self.id, reason)
            else:
                reason = str(error) or repr(error)
                _logger.exception("Dunning communication %s failed", self.id)
            self._restore_item_states()
            with audit_writer(self.env):
                # the savepoint took back an invoice made in it; one made before (a sent
                # communication sent again by a caller) goes with the failure
                self._cancel_fee_invoices(_("the communication failed"))
                self.write({"state": "failed", "failure_reason": reason})

    def _send(self, rendered):
        """Carry out the communication: e-mail queued with its attachments, letter
        rendered (or taken from ``rendered``, see ``_render_documents``), activity for the
        collector; log the contact; apply the level's sanctions."""
        self.ensure_one()
        if not self._drop_settled_items():
            self.write(
                {
                    "state": "cancel",
                    "failure_reason": _(
                        "Not sent: every item was paid or disputed after the preview."
                    ),
                }
            )
            return
        self._mark_items_reached()
        level = self.level_id
        if level.invoice_fees:
            # in the same savepoint as the sending: a communication that fails leaves no
            # invoice, and an invoice that cannot be made fails the communication
            self._invoice_fees()
        attachments = self.env["ir.attachment"]
        documents = not self.env.context.get("credit_dunning_no_documents")
        if documents and level.letter_report_id and self.channel in ("email", "letter"):
            attachments |= self._render_letter(rendered.get(("letter", self.id)))
        if self.channel == "email":
            if not self.partner_id.email:
                raise UserError(
                    _(
                        "%(customer)s has no e-mail address.",
                        customer=self.partner_id.display_name,
                    )
                )
            if documents and level.attach_invoices:
                attachments |= self._invoice_attachments(rendered)
            mail_id = level.mail_template_id.send_mail(
                self.id,
                email_values={"attachment_ids": [Command.set(attachments.ids)]},
            )
            self.mail_id = mail_id
        activity_type = level.activity_type_id or (
            self.env.ref(DEFAULT_ACTIVITY[self.channel], raise_if_not_found=False)
            if self.channel in DEFAULT_ACTIVITY
            else False
        )
        if activity_type and self.collector_id:
            self.activity_schedule(
                activity_type_id=activity_type.id,
                summary=_(
                    "%(level)s: %(customer)s",
                    level=level.name,
                    customer=self.partner_id.display_name,
                ),
                note=_(
                    "%(count)s items, %(amount)s dunned.",
                    count=self.item_count,
                    amount=self.currency_id.format(self.amount_due),
                ),
                user_id=self.collector_id.id,
            )
        if self.channel in ("email", "letter"):
            self.env["credit.collection.log"].create(
                {
                    "company_id": self.company_id.id,
                    "partner_id": self.partner_id.id,
                    "communication_id": self.id,
                    "channel": self.channel,
                    "collector_id": self.collector_id.id,
                    "is_automatic": True,
                    "content": _(
                        "%(level)s sent: %(count)s items, %(amount)s dunned, fees %(fees)s.",
                        level=level.name,
                        count=self.item_count,
                        amount=self.currency_id.format(self.amount_due),
                        fees=self.currency_id.format(self.fee_amount + self.interest_amount),
                    ),
                }
            )
        self._apply_sanctions()
        self.write(
            {
                "state": "sent",
                "failure_reason": False,
                "sent_date": fields.Datetime.now(),
                "letter_attachment_id": (
                    attachments[:1].id if documents and level.letter_report_id else False
                ),
            }
        )

    # ------------------------------------------------------------------
    # fee invoices
    # ------------------------------------------------------------------
    def _invoice_fees(self):
        """Charge the fee and penalty interest of this communication to the customer: one
        posted customer invoice (``out_invoice``) in the communication's currency, for its
        customer and company, with a line of the level's fee product and one of its interest
        product (the amounts not zero), linked both ways (``fee_invoice_id`` here,
        ``credit_dunning_communication_id`` on the invoice, unique in the database).

        A customer invoice rather than a debit note: Odoo's debit notes (``account_debit_note``,
        not a dependency) add to *one* original invoice, in its currency and with its lines,
        while a dunning fee is a charge of its own over several invoices (of several
        currencies), booked on its own income; a plain invoice is also what the customer can
        pay, what the ledger, the aging and the statements already read.

        Never twice for the same level and items: the communication's row is locked and its
        link read again (a concurrent sender waits here, then finds the invoice, or fails on
        the serialisation of the row), the item states are locked, and a live fee invoice of
        another communication of the same level over any of these items refuses this one
        (the communication fails with the reason: its items were dunned at this level
        already). Called inside the sending's savepoint, so a failure of either undoes
        both. Returns the invoice (empty when there is nothing to charge)."""
        self.ensure_one()
        Move = self.env["account.move"].sudo()
        row = self.env.execute_query(
            SQL(
                "SELECT fee_invoice_id FROM credit_dunning_communication WHERE id = %s FOR UPDATE",
                self.id,
            )
        )
        if row and row[0][0]:
            self.invalidate_recordset(["fee_invoice_id"])
            return Move.browse(row[0][0])
        fee, interest = self.fee_amount, self.interest_amount
        if self.currency_id.is_zero(fee) and self.currency_id.is_zero(interest):
            return Move
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """
            SELECT st.id FROM credit_dunning_item_state st
              JOIN credit_dunning_communication_line l ON l.move_line_id = st.move_line_id
             WHERE l.communication_id = %s
          ORDER BY st.id
               FOR UPDATE OF st
                """,
                self.id,
            )
        )
        charged = self.env.execute_query(
            SQL(
                """
            SELECT other.id
              FROM credit_dunning_communication other
              JOIN account_move m ON m.id = other.fee_invoice_id
              JOIN credit_dunning_communication_line ol ON ol.communication_id = other.id
              JOIN credit_dunning_communication_line l
                ON l.move_line_id = ol.move_line_id AND l.communication_id = %(id)s
             WHERE other.id != %(id)s
               AND other.level_id = %(level)s
               AND m.state != 'cancel'
               AND m.payment_state IS DISTINCT FROM 'reversed'
             LIMIT 1
                """,
                id=self.id,
                level=self.level_id.id,
            )
        )
        if charged:
            raise UserError(
                _(
                    "The fees of level %(level)s on these items were invoiced already, with "
                    "%(communication)s: they are not charged twice.",
                    level=self.level_id.name,
                    communication=self.browse(charged[0][0]).display_name,
                )
            )
        company = self.company_id
        fee_product, interest_product = self.level_id._fee_products(company)
        lines = []
        if not self.currency_id.is_zero(fee):
            lines.append(
                Command.create(
                    {
                        "product_id": fee_product.id,
                        "name": _("Dunning fee: %(level)s", level=self.level_id.name),
                        "quantity": 1,
                        "price_unit": fee,
                    }
                )
            )
        if not self.currency_id.is_zero(interest):
            lines.append(
                Command.create(
                    {
                        "product_id": interest_product.id,
                        "name": _(
                            "Penalty interest on %(count)s overdue items until %(date)s",
                            count=len(self.line_ids.filtered("interest_days")),
                            date=self.date,
                        ),
                        "quantity": 1,
                        "price_unit": interest,
                    }
                )
            )
        invoice = Move.with_company(company).create(
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "partner_id": self.partner_id.id,
                "currency_id": self.currency_id.id,
                "invoice_date": fields.Date.context_today(self),
                "invoice_origin": self.display_name,
                "invoice_user_id": self.collector_id.id or False,
                "credit_dunning_communication_id": self.id,
                "invoice_line_ids": lines,
            }
        )
        invoice.action_post()
        self.fee_invoice_id = invoice
        return invoice

    def _cancel_fee_invoices(self, reason):
        """Take back the fees charged by these communications (their items are disputed):
        a fee invoice not paid at all is reset to draft and cancelled, as if never issued;
        one paid in part or in full (or that cannot be reset: locked period, hashed
        entry) is reversed by a credit note reconciled with it, so what the customer paid
        becomes its credit. The communication stays sent: it was sent."""
        for communication in self.filtered("fee_invoice_id"):
            invoice = communication.fee_invoice_id.sudo()
            if invoice.state == "cancel" or invoice.payment_state == "reversed":
                continue
            cancelled = False
            if invoice.state == "draft" or invoice.payment_state == "not_paid":
                try:
                    with self.env.cr.savepoint():
                        invoice.button_cancel()
                    cancelled = True
                except UserError:
                    _logger.info("Fee invoice %s cannot be cancelled: reversed", invoice.name)
            if not cancelled:
                invoice._reverse_moves(
                    [
                        {
                            "ref": _(
                                "Reversal of %(invoice)s: %(reason)s",
                                invoice=invoice.name,
                                reason=reason,
                            ),
                            "invoice_date": fields.Date.context_today(self),
                        }
                    ],
                    cancel=True,
                )
            communication.message_post(
                body=_(
                    "Fee invoice %(invoice)s taken back: %(reason)s",
                    invoice=invoice.name,
                    reason=reason,
                )
            )

    def _render_letter(self, document=None):
        """The letter as a PDF attached to the communication, in the customer's language:
        ``document`` (content, kind) when it was rendered with others, else rendered now."""
        report = self.level_id.letter_report_id
        content, kind = document or (
            self.env["ir.actions.report"]
            .with_context(lang=self.partner_id.lang or self.env.lang)
            ._render_qweb_pdf(report.report_name, self.ids)
        )
        return self.env["ir.attachment"].create(
            {
                "name": _("Reminder %(name)s.%(ext)s", name=self.display_name, ext=kind),
                "type": "binary",
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf" if kind == "pdf" else "text/html",
            }
        )

    def _invoice_attachments(self, rendered=None):
        """The PDF of each invoice of the communication: the one Odoo keeps for the invoice
        when there is one, else the one in ``rendered`` (see ``_render_documents``), else
        rendered now. Items of other entries (opening balances, miscellaneous entries)
        have no invoice to print."""
        rendered = rendered or {}
        attachments = self.env["ir.attachment"]
        for move in self.line_ids.move_id.filtered(
            lambda m: m.is_invoice(include_receipts=True)
        ).sorted("id"):
            if move.invoice_pdf_report_id:
                attachments |= move.invoice_pdf_report_id
                continue
            content, kind = rendered.get(("invoice", move.id)) or self.env[
                "ir.actions.report"
            ]._render_qweb_pdf("account.account_invoices", move.ids)
            attachments |= self.env["ir.attachment"].create(
                {
                    "name": f"{(move.name or '').replace('/', '_')}.{kind}",
                    "type": "binary",
                    "datas": base64.b64encode(content),
                    "res_model": self._name,
                    "res_id": self.id,
                    "mimetype": "application/pdf" if kind == "pdf" else "text/html",
                }
            )
        return attachments

    def _apply_sanctions(self):
        """Credit hold and stopped deliveries, as the level says, on the customer's credit
        file (created if the customer has none yet)."""
        level = self.level_id
        if not (level.set_credit_hold or level.stop_deliveries):
            return
        file = self.file_id or self.env["credit.file"].sudo()._get_for_partner(
            self.partner_id, self.company_id
        )
        reason = _("Dunning level %(level)s reached on %(date)s", level=level.name, date=self.date)
        values = {}
        if level.set_credit_hold and not file.on_hold:
            values.update(on_hold=True, hold_reason=reason)
        if level.stop_deliveries and not file.stop_deliveries:
            values.update(stop_deliveries=True, stop_deliveries_reason=reason)
        if values:
            file.sudo().write(values)
