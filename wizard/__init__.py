from . import credit_dunning_dispute, credit_hold_decision
