"""Kubernetes quantities (`250m`, `1.5Gi`, `2e3`) read from what a server or a pod spec sends: hostile text."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# The API server's grammar: a signed decimal number, then one suffix (binary, decimal SI or an exponent).
_QUANTITY = re.compile(
    r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]{1,3})?"
)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1)}
_DECIMAL |= {"k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12")}
_DECIMAL |= {"P": Decimal("1e15"), "E": Decimal("1e18")}
_LONGEST = 64  # no real quantity is longer; a longer text is refused before the regular expression reads it


def parse_quantity(value: object) -> Decimal | None:
    """The quantity's value in base units (cores, bytes, GPUs), or None when `value` is not a quantity.

    JSON numbers are taken too: a manifest may say `nvidia.com/gpu: 1`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _parse(repr(value))
    if isinstance(value, str) and len(value) <= _LONGEST:
        return _parse(value.strip())
    return None


@lru_cache(maxsize=4096)  # 10,000 pods repeat a handful of spellings (500m, 1Gi): each is read once
def _parse(text: str) -> Decimal | None:
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return None
    number, suffix = match.group(1), match.group(2) or ""
    try:
        amount = Decimal(number)
        if suffix in _BINARY:
            return amount * _BINARY[suffix]
        if suffix in _DECIMAL:
            return amount * _DECIMAL[suffix]
        return amount.scaleb(int(suffix[1:]))
    except (InvalidOperation, ValueError, OverflowError):
        return None


def millicores(value: object) -> int | None:
    """CPU as whole millicores, rounded up as the API server rounds a request (`1n` is 1m), or None."""
    amount = parse_quantity(value)
    if amount is None or amount < 0:
        return None
    return int((amount * 1000).to_integral_value(rounding="ROUND_CEILING"))


def whole(value: object) -> int | None:
    """Bytes, GPUs, pods: a whole count, rounded up, or None."""
    amount = parse_quantity(value)
    if amount is None or amount < 0:
        return None
    return int(amount.to_integral_value(rounding="ROUND_CEILING"))
