from markupsafe import Markup

from odoo import SUPERUSER_ID, _, models

CUSTOMER_CREDIT_STATUSES = ("pending", "rejected")
"""The credit hold states a customer is told about (a quotation only): the officer is still
deciding, or has refused the credit."""


class SaleOrder(models.Model):
    """What the customer is told of a credit hold, on the portal and in the mails Odoo sends
    about the order: that the signed or paid order waits for credit approval, or that it
    could not be approved on credit. Never the rules it failed nor any figure: those are the
    salesperson's and the credit officer's."""

    _inherit = "sale.order"

    def _credit_customer_status(self):
        """``"pending"``, ``"rejected"`` or False: the credit hold state of a quotation the
        customer may be told about. A confirmed or cancelled order has nothing to tell, and
        a quotation the customer still has to pay waits for the payment, not for a credit
        officer: paying runs the credit checks again."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            return False
        status = self.sudo().credit_hold_state
        if status == "pending" and self._has_to_be_paid():
            return False
        return status if status in CUSTOMER_CREDIT_STATUSES else False

    def _credit_customer_notice(self):
        """The sentence telling the customer where the order stands on credit, in the
        language of the environment, or "" when there is nothing to tell."""
        status = self._credit_customer_status()
        if status == "pending":
            return _(
                "Your order is awaiting credit approval. We will confirm it as soon as it is "
                "approved."
            )
        if status == "rejected":
            return _(
                "Your order could not be approved on credit. Please contact your salesperson "
                "to find a solution."
            )
        return ""

    def _send_order_notification_mail(self, mail_template):
        """Odoo's mail (e.g. "payment received" for a paid quotation) with, above its text,
        the notice that the order awaits credit approval. The template is rendered as
        ``message_post_with_source`` renders it (a one-record composer in comment mode), with
        the notice put in the composer's body before sending."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        notice = self.with_context(lang=lang)._credit_customer_notice()
        if not mail_template or not notice:
            return super()._send_order_notification_mail(mail_template)
        order = self.with_user(SUPERUSER_ID) if self.env.su else self
        composer = (
            order.env["mail.compose.message"]
            .with_context(
                force_send=True,
                default_composition_mode="comment",
                default_model=order._name,
                default_res_ids=order.ids,
                default_template_id=mail_template.id,
            )
            .create(
                {
                    "message_type": "notification",
                    "subtype_id": order.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
                    "email_layout_xmlid": (
                        "mail.mail_notification_layout_with_responsible_signature"
                    ),
                }
            )
        )
        notice_html = Markup("<p><strong>%s</strong></p>") % notice
        composer.body = notice_html + Markup(composer.body or "")
        composer._action_send_mail()
