from . import credit_hold_decision, credit_statement_wizard
