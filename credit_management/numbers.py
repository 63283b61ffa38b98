"""Number handling shared by the core modules."""

from __future__ import annotations

from decimal import Decimal

Number = Decimal | int | float | str


def to_decimal(value: Number | None) -> Decimal | None:
    """``value`` as a Decimal, ``None`` kept as "unknown".

    Floats go through their shortest text form, so ``0.1`` becomes ``Decimal("0.1")`` and
    not the binary approximation: amounts read from Odoo float fields stay exact to the cent.
    """
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))
