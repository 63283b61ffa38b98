from . import credit_hold, credit_policy, stock_picking
