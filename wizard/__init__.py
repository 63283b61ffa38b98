from . import credit_doubtful_wizard, credit_hold_decision, credit_write_off
