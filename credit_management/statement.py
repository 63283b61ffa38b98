"""Customer statements (对账单): the period a statement covers and the kind of each movement.

A statement shows, for one customer and one period, the receivable balance before the period
(opening), every posted receivable movement of the period with its running balance, the
balance at the end (closing) and what is still open then by age. The amounts themselves come
from one SQL aggregate on the Odoo side; this module only knows the calendar and the words.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

PRESET_LAST_MONTH = "last_month"
PRESET_THIS_MONTH = "this_month"
PRESET_CUSTOM = "custom"

KIND_INVOICE = "invoice"
KIND_CREDIT_NOTE = "credit_note"
KIND_PAYMENT = "payment"
KIND_EXCHANGE = "exchange"
KIND_OTHER = "other"


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    def __post_init__(self):
        if self.date_from > self.date_to:
            raise ValueError("a statement period cannot end before it starts")


def month_period(day: date) -> Period:
    """The calendar month holding ``day``."""
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def preset_period(preset: str, today: date) -> Period:
    """The period of a preset: the previous calendar month, or this month up to ``today``
    (a statement cannot show what has not happened yet)."""
    if preset == PRESET_LAST_MONTH:
        return month_period(today.replace(day=1) - timedelta(days=1))
    if preset == PRESET_THIS_MONTH:
        return Period(today.replace(day=1), today)
    raise ValueError(f"unknown statement period preset {preset!r}")


def movement_kind(move_type: str, is_payment: bool, is_exchange: bool) -> str:
    """What a receivable movement is, for the statement's "type" column: the document type
    for invoices and credit notes, payments (registered or from a bank statement), exchange
    differences (the company's exchange journal) and everything else (write-offs, opening
    entries, manual entries)."""
    if move_type in ("out_invoice", "in_refund", "out_receipt"):
        return KIND_INVOICE
    if move_type in ("out_refund", "in_invoice", "in_receipt"):
        return KIND_CREDIT_NOTE
    if is_payment:
        return KIND_PAYMENT
    if is_exchange:
        return KIND_EXCHANGE
    return KIND_OTHER
