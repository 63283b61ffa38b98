import ast
import inspect
import textwrap
import xmlrpc.client

from odoo.tests import freeze_time, tagged

from .common import CreditLedgerCommon

MODULES = ("credit_management", "credit_management_stock")


def _falls_through(body):
    """True when running ``body`` can reach its end without a ``return`` or ``raise``."""
    if not body:
        return True
    last = body[-1]
    if isinstance(last, ast.Return | ast.Raise):
        return False
    if isinstance(last, ast.If):
        return _falls_through(last.body) or _falls_through(last.orelse)
    if isinstance(last, ast.With):
        return _falls_through(last.body)
    if isinstance(last, ast.Try) and not last.finalbody:
        return _falls_through(last.body + last.orelse) or any(
            _falls_through(handler.body) for handler in last.handlers
        )
    return True


def _returns_none(function):
    """Why ``function`` may return None (a bare ``return``, ``return None``, or an end
    reached without a return), else an empty string. Nested functions are not looked at."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    node = tree.body[0]
    nested = {
        id(inner)
        for child in ast.walk(node)
        if child is not node and isinstance(child, ast.FunctionDef | ast.Lambda)
        for inner in ast.walk(child)
    }
    for child in ast.walk(node):
        if (
            isinstance(child, ast.Return)
            and id(child) not in nested
            and (
                child.value is None
                or (isinstance(child.value, ast.Constant) and child.value.value is None)
            )
        ):
            return f"returns None on line {child.lineno}"
    if _falls_through(node.body):
        return "ends without a return"
    return ""


@tagged("post_install", "-at_install")
class TestActionReturns(CreditLedgerCommon):
    """XML-RPC cannot marshal None: a public button (``action_*``) that returns nothing makes
    an RPC client fail ("cannot marshal None") although the work was saved. Every
    ``action_*`` written in the addon returns a value."""

    def _addon_actions(self):
        """(model, method name, function) of every ``action_*`` method written in the
        addon's (and its bridges') Python files, on every model of the registry."""
        found = {}
        for name in self.env.registry:
            for cls in type(self.env[name]).__mro__:
                module = getattr(cls, "__module__", "") or ""
                if not any(module.startswith(f"odoo.addons.{m}.") for m in MODULES):
                    continue
                for attr, function in vars(cls).items():
                    if attr.startswith("action_") and inspect.isfunction(function):
                        found.setdefault((cls.__module__, cls.__qualname__, attr), function)
        return found

    def test_the_walk_finds_the_buttons(self):
        names = {attr for (_module, _cls, attr) in self._addon_actions()}
        self.assertLessEqual({"action_compute", "action_approve", "action_decide"}, names)

    def test_no_action_of_the_addon_can_return_none(self):
        problems = []
        for (module, cls, attr), function in sorted(self._addon_actions().items()):
            reason = _returns_none(function)
            if reason:
                problems.append(f"{module}.{cls}.{attr} {reason}")
        self.assertEqual(problems, [])

    def test_the_static_check_sees_a_missing_return(self):
        def action_without_return(self):
            self.write({})

        def action_with_bare_return(self):
            if self:
                return
            return True

        def action_with_returns_on_both_branches(self):
            if self:
                return True
            else:
                return {"type": "ir.actions.act_window_close"}

        self.assertEqual(_returns_none(action_without_return), "ends without a return")
        self.assertTrue(_returns_none(action_with_bare_return).startswith("returns None"))
        self.assertEqual(_returns_none(action_with_returns_on_both_branches), "")

    @freeze_time("2024-06-30")
    def test_computing_a_review_returns_what_xml_rpc_marshals(self):
        _partner, file = self._a_grade_customer("Acme")
        review = self._review(file)
        result = review.with_user(self.officer).action_compute()
        xmlrpc.client.dumps((result,), allow_none=False)
        self.assertTrue(review.line_ids, "the work is done as well")

    @freeze_time("2024-06-30")
    def test_resolving_a_warning_returns_what_xml_rpc_marshals(self):
        _partner, file = self._a_grade_customer("Acme")
        warning = (
            self.env["credit.warning"]
            .with_user(self.officer)
            ._raise(file, "broken_promise", "Promised the 15th, paid nothing.")
        )
        result = warning.with_user(self.officer).action_resolve()
        xmlrpc.client.dumps((result,), allow_none=False)
        self.assertEqual(warning.state, "resolved")
