from odoo import _, models


class MailActivity(models.Model):
    """Marking a dunning call, visit or hand-over done logs the contact (催收记录) with the
    collector's feedback."""

    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        logs = []
        for activity in self.filtered(lambda a: a.res_model == "credit.dunning.communication"):
            communication = self.env["credit.dunning.communication"].browse(activity.res_id)
            logs.append(
                {
                    "company_id": communication.company_id.id,
                    "partner_id": communication.partner_id.id,
                    "communication_id": communication.id,
                    "channel": communication.channel,
                    "collector_id": self.env.uid,
                    "content": feedback or activity.summary or _("Done"),
                }
            )
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if logs:
            self.env["credit.collection.log"].sudo().create(logs)
        return result
