import base64
import shutil
from unittest import mock

from odoo.tests import freeze_time, tagged
from odoo.tools import config

from ..models import credit_dunning_run
from ..models.credit_dunning_communication import wkhtmltopdf_takes_several_documents
from .common import pdf_text
from .dunning_common import DAY, DunningCommon, days

RUN = "odoo.addons.credit_management.models.credit_dunning_run"
COMMUNICATION = "odoo.addons.credit_management.models.credit_dunning_communication"
REPORT = "odoo.addons.base.models.ir_actions_report.IrActionsReport"
PDF = b"%PDF-1.4\n% one record\n"


class FakeClock:
    """The clock of ``credit_dunning_run`` (``_clock``), moved on by the tests: sending a
    communication takes ``per_communication`` seconds."""

    def __init__(self, per_communication=0.0):
        self.now = 1_000_000.0
        self.per_communication = per_communication

    def __call__(self):
        return self.now


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDunningSendBatches(DunningCommon):
    """The background job sends for a time budget per transaction, well inside Odoo's
    worker time limit, and renders the PDFs of a batch in one report call per report."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.debtors = [cls._debtor(f"Debtor {name}") for name in ("Alpha", "Bravo", "Charlie")]
        cls.level[15].letter_report_id = cls.letter

    def setUp(self):
        super().setUp()
        self.clock = FakeClock()
        self.patch(credit_dunning_run, "_clock", self.clock)
        self.patch(credit_dunning_run, "_seconds_per_communication", {})
        Communication = type(self.env["credit.dunning.communication"])
        original = Communication._send_safely
        clock = self.clock

        def send_and_take_time(comm, rendered=None):
            clock.now += clock.per_communication
            return original(comm, rendered)

        self.patch(Communication, "_send_safely", send_and_take_time)
        self.patch(config, "options", {**config.options, "limit_time_real": 120})
        config.options["limit_time_real_cron"] = -1

    def _run_to_send(self, count):
        partners = self.debtors + [self._debtor(f"Debtor {i}") for i in range(count - 3)]
        invoices = [
            self._invoice(p, days(-90), days(-20), 100.0 * (i + 1))
            for i, p in enumerate(partners[:count])
        ]
        run = self._run(DAY)
        run.with_user(self.officer).action_send()
        return run, invoices

    def _mails(self, comms):
        return self.env["mail.mail"].search(
            [("model", "=", comms._name), ("res_id", "in", comms.ids)]
        )

    def _cron_send(self, **context):
        with mock.patch.object(type(self.env["ir.cron"]), "_notify_progress") as progress:
            self.env["credit.dunning.run"].with_context(**context)._cron_send()
        return progress

    # ------------------------------------------------------------------
    # the time budget
    # ------------------------------------------------------------------
    def test_a_batch_ends_when_its_time_budget_is_spent_and_the_next_call_finishes(self):
        self.env["ir.config_parameter"].set_param("credit_management.dunning_send_seconds", 10)
        self.clock.per_communication = 3.0
        run, _invoices = self._run_to_send(5)
        comms = run.communication_ids.sorted("id")
        self.assertEqual(len(comms), 5)
        with mock.patch(f"{RUN}.FIRST_CHUNK", 2):
            # 2 communications (6 s), then 1 more fits in the 4 s left (9 s); 1 s left is
            # less than one communication: the batch ends with 3 sent
            self._cron_send().assert_called_once_with(done=3, remaining=2)
            self.assertEqual(comms.mapped("state"), ["sent"] * 3 + ["draft"] * 2)
            self.assertEqual(run.state, "sending")
            self._cron_send().assert_called_once_with(done=2, remaining=0)
        self.assertEqual(set(comms.mapped("state")), {"sent"})
        self.assertEqual(run.state, "done")
        for comm in comms:  # nothing sent twice
            self.assertEqual(len(self._mails(comm)), 1)
            self.assertEqual(len(comm.log_ids), 1)

    def test_a_slow_first_chunk_ends_the_batch_alone(self):
        self.clock.per_communication = 8.0
        self._run_to_send(3)
        with mock.patch(f"{RUN}.FIRST_CHUNK", 2):
            # 2 x 8 s = 16 s of the 20 s budget: 4 s left, less than one communication
            self._cron_send().assert_called_once_with(done=2, remaining=1)

    def test_a_batch_starts_with_a_chunk_sized_on_the_rate_of_the_previous_batch(self):
        self.clock.per_communication = 5.0
        run, _invoices = self._run_to_send(5)
        Communication = type(self.env["credit.dunning.communication"])
        original = Communication._send_chunk
        chunks = []

        def count_chunk(comms):
            chunks.append(len(comms))
            return original(comms)

        # the previous batch of this process sent at 5 s a communication: 4 fill 20 s
        credit_dunning_run._seconds_per_communication[self.env.cr.dbname] = 5.0
        with mock.patch.object(Communication, "_send_chunk", count_chunk):
            self._cron_send().assert_called_once_with(done=4, remaining=1)
        self.assertEqual(chunks, [4])  # one chunk, one report call per report
        self.assertEqual(run.state, "sending")

    def test_the_time_budget_is_a_system_parameter_capped_under_the_worker_limit(self):
        Run = self.env["credit.dunning.run"]
        ICP = self.env["ir.config_parameter"]
        self.assertEqual(Run._send_seconds(), 20.0)
        ICP.set_param("credit_management.dunning_send_seconds", "25")
        self.assertEqual(Run._send_seconds(), 25.0)
        ICP.set_param("credit_management.dunning_send_seconds", "100")
        self.assertEqual(Run._send_seconds(), 30.0)  # a quarter of limit_time_real 120
        config.options["limit_time_real_cron"] = 40
        self.assertEqual(Run._send_seconds(), 10.0)  # the cron's own limit comes first
        ICP.set_param("credit_management.dunning_send_seconds", "0")
        self.assertEqual(Run._send_seconds(), 1.0)
        ICP.set_param("credit_management.dunning_send_seconds", "soon")
        with self.assertLogs(RUN, "WARNING"):
            self.assertEqual(Run._send_seconds(), 10.0)  # the default, capped

    def test_the_job_hands_over_when_its_calls_used_half_the_worker_limit(self):
        self.clock.per_communication = 1.0
        run, _invoices = self._run_to_send(3)
        cron = self.env.ref("credit_management.ir_cron_dunning_send")
        Trigger = self.env["ir.cron.trigger"].sudo()
        triggers = Trigger.search_count([("cron_id", "=", cron.id)])
        # earlier calls of this job used 45 s of the 120 s limit: 15 s left of its half
        with mock.patch(f"{RUN}.job_started_at", return_value=self.clock.now - 45):
            progress = self._cron_send(cron_id=cron.id)
        # no progress ends Odoo's series of calls; the trigger brings the job back at once
        progress.assert_called_once_with(done=0, remaining=3)
        self.assertEqual(set(run.communication_ids.mapped("state")), {"draft"})
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), triggers + 1)
        # in a fresh window (20 s used: 40 s left) the batch goes
        with mock.patch(f"{RUN}.job_started_at", return_value=self.clock.now - 20):
            self._cron_send(cron_id=cron.id).assert_called_once_with(done=3, remaining=0)
        self.assertEqual(run.state, "done")

    # ------------------------------------------------------------------
    # one report call per batch
    # ------------------------------------------------------------------
    def _count_report_calls(self):
        # a batch of one chunk (the first chunk of a batch is small while the sending
        # rate is unknown)
        self.patch(credit_dunning_run, "FIRST_CHUNK", 10)
        Report = type(self.env["ir.actions.report"])
        return mock.patch.object(
            Report, "_pre_render_qweb_pdf", autospec=True, side_effect=Report._pre_render_qweb_pdf
        )

    def _attachments(self, comm, invoice):
        mail = self._mails(comm)
        letter = comm.letter_attachment_id
        invoice_pdf = mail.attachment_ids - letter
        self.assertEqual(len(mail.attachment_ids), 2)
        self.assertIn(letter, mail.attachment_ids)
        self.assertIn(invoice.name.replace("/", "_"), invoice_pdf.name)
        return letter, invoice_pdf

    def test_the_letters_and_invoices_of_a_batch_are_rendered_in_one_call_each(self):
        run, invoices = self._run_to_send(3)
        comms = [self._communications(run, partner) for partner in self.debtors]
        with self._count_report_calls() as render:
            run._send_batch()
        reports = [call.args[1] for call in render.call_args_list]
        self.assertEqual(
            reports, ["credit_management.report_dunning_letter", "account.account_invoices"]
        )
        self.assertEqual(
            [sorted(call.kwargs["res_ids"]) for call in render.call_args_list],
            [sorted(c.id for c in comms), sorted(i.id for i in invoices)],
        )
        for index, (comm, invoice) in enumerate(zip(comms, invoices, strict=True)):
            letter, invoice_pdf = self._attachments(comm, invoice)
            text = base64.b64decode(letter.datas).decode()
            self.assertIn(f"Debtor {('Alpha', 'Bravo', 'Charlie')[index]}", text)
            self.assertIn(invoice.name, text)
            others = [i.name for i in invoices if i != invoice]
            self.assertFalse([name for name in others if name in text])
            self.assertIn(invoice.name, base64.b64decode(invoice_pdf.datas).decode())

    def test_each_communication_gets_its_own_pdf_from_the_one_call(self):
        if not (shutil.which("wkhtmltopdf") and shutil.which("pdftotext")):
            self.skipTest(
                "needs wkhtmltopdf and pdftotext (poppler-utils): scripts/test installs them"
            )
        if not wkhtmltopdf_takes_several_documents():
            self.skipTest("this wkhtmltopdf (unpatched Qt) renders one document per call")
        run, invoices = self._run_to_send(3)
        comms = [self._communications(run, partner) for partner in self.debtors]
        with self._count_report_calls() as render:
            run.with_context(force_report_rendering=True)._send_batch()
        self.assertEqual(render.call_count, 2)
        names = [partner.name for partner in self.debtors]
        for comm, invoice, name in zip(comms, invoices, names, strict=True):
            letter, invoice_pdf = self._attachments(comm, invoice)
            self.assertEqual(letter.mimetype, "application/pdf")
            self.assertTrue(letter.raw.startswith(b"%PDF"))
            text = pdf_text(letter.raw)
            self.assertIn(name, text)
            self.assertEqual([n for n in names if n in text], [name])
            self.assertIn(invoice.name, text)
            invoice_text = pdf_text(invoice_pdf.raw)
            self.assertIn(invoice.name, invoice_text)
            self.assertEqual([i.name for i in invoices if i.name in invoice_text], [invoice.name])

    def test_with_a_wkhtmltopdf_of_one_document_per_call_each_pdf_is_rendered_alone(self):
        run, _invoices = self._run_to_send(3)
        with (
            mock.patch(f"{COMMUNICATION}.wkhtmltopdf_takes_several_documents", return_value=False),
            mock.patch(f"{REPORT}._run_wkhtmltopdf", return_value=PDF),
            mock.patch(f"{REPORT}.get_wkhtmltopdf_state", return_value="ok"),
            self._count_report_calls() as render,
        ):
            run.with_context(force_report_rendering=True)._send_batch()
        # no call for several records, which would fail: one per letter, one per invoice
        self.assertEqual(render.call_count, 6)
        self.assertEqual({len(call.kwargs["res_ids"]) for call in render.call_args_list}, {1})
        self.assertEqual(set(run.communication_ids.mapped("state")), {"sent"})

    def test_a_letter_that_breaks_the_batch_call_fails_alone(self):
        run, _invoices = self._run_to_send(3)
        broken = self._communications(run, self.debtors[1])
        Report = type(self.env["ir.actions.report"])
        original = Report._pre_render_qweb_pdf

        def fail_with_the_broken_one(report, report_ref, res_ids=None, data=None):
            if "dunning_letter" in report_ref and broken.id in res_ids:
                raise ValueError("broken letter")
            return original(report, report_ref, res_ids=res_ids, data=data)

        with (
            mock.patch.object(Report, "_pre_render_qweb_pdf", fail_with_the_broken_one),
            self.assertLogs(COMMUNICATION, "ERROR"),
        ):
            run._send_batch()
        self.assertEqual(broken.state, "failed")
        self.assertIn("broken letter", broken.failure_reason)
        self.assertFalse(self._mails(broken))
        others = run.communication_ids - broken
        self.assertEqual(set(others.mapped("state")), {"sent"})
        self.assertTrue(all(others.mapped("letter_attachment_id")))
        self.assertEqual(run.state, "done")
