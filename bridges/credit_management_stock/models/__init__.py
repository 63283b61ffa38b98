from . import credit_exposure, credit_hold, credit_policy, stock_picking
