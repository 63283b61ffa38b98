from . import (
    credit_doubtful_wizard,
    credit_dunning_dispute,
    credit_hold_decision,
    credit_statement_wizard,
    credit_write_off,
)
