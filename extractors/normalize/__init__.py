"""Normalisers: money, Chinese capital numerals, dates, ids, text. Pure functions.

Each turns what is printed on a document into the normalised form of the record
contract (docs/records.md); each returns None (or "") rather than guess.
"""

from .dates import parse_date
from .ids import (
    normalize_code,
    normalize_tax_id,
    tax_id_kind,
    uscc_check_char,
    uscc_valid,
)
from .money import canonical_decimal, format_money, parse_money, parse_rate
from .numerals import amount_to_words, words_to_amount
from .text import normalize_text, strip_inner_spaces

__all__ = [
    "amount_to_words",
    "canonical_decimal",
    "format_money",
    "normalize_code",
    "normalize_tax_id",
    "normalize_text",
    "parse_date",
    "parse_money",
    "parse_rate",
    "strip_inner_spaces",
    "tax_id_kind",
    "uscc_check_char",
    "uscc_valid",
    "words_to_amount",
]
