from . import credit_exposure, credit_hold, credit_policy, pos_order
