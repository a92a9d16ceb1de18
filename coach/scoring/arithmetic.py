"""Worked arithmetic, checked: "327,680 x 4,096 = 1.34 GB", "70 GB / 4.8 TB/s ≈ 15 ms",
"8 x 400 Gb/s = 3.2 Tb/s = 400 GB/s".

A chain of products and quotients of numbers (with or without units) followed by "=" or "≈" and
a result is evaluated in base units (bytes, seconds, bytes per second, FLOPs). So is a transfer
told in prose: a size, then "at"/"over" a rate, then the time it "takes" ("1.4 TB at 50 GB/s
takes about 28 s"), unless the sentence splits it ("across 8 NICs", "each", "in parallel"). A
result that is off by more than its own precision allows (15 %, or more for a result given to one
significant digit: "≈ 1 GB") is a slip.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import NamedTuple

from coach.scoring.units import (
    NUMBER,
    QUANTITY_RE,
    Quantity,
    find_quantities,
    parse_number,
    unit_of_match,
)

TOLERANCE = 0.15
MISCONCEPTION_ID = "arithmetic-slip"
"""Reported as a misconception of every rubric (no rubric may use the id for its own)."""
PENALTY = 6.0
"""Per slip, for at most MAX_COUNTED slips."""
MAX_COUNTED = 3

_NUMBER_RE = re.compile(NUMBER)
# An operator between two operands; "x" only with a number after it ("2 x 80", not "8x faster").
# Also in words: "435 GB divided by 1.34 GB", "2 times 80".
_OP_RE = re.compile(
    r"\s*(?:([×*·/÷])|(x)(?=\s*[\d(])|(divided\s+by)(?=\s*\d)|(times|multiplied\s+by)(?=\s*\d))\s*"
)
# The result follows a sign or, after a worked product, words: "... is about 32", "comes to 1.3 GB".
_EQ_WORDS = (
    r"(?:is|are|comes\s+to|works\s+out\s+(?:to|at)|gives|equals|that's)"
    r"(?:\s+(?:about|roughly|approximately|approx\.|around|nearly|almost|~|≈))?(?=\s*~?\s*\d)"
)
_EQ_RE = re.compile(rf"\s*(≈|~=|≃|=|{_EQ_WORDS})\s*~?\s*")
_OPEN_RE = re.compile(r"\s*\(\s*")
_CLOSE_RE = re.compile(r"\s*\)")
_START_RE = re.compile(r"(?<![\w.,^])(?=\(?\s*\d|√|sqrt\s*\()")
_ROOT_RE = re.compile(r"\s*(?:√|sqrt\s*(?=\())")  # Young/Daly: "√(2 x 30 s x 183,600 s) ≈ 3,300 s"

Values = tuple[float, ...]
_PREFIX_STEPS = range(-2, 3)
"""How many SI prefixes (x1000) apart bare numbers and a result in units may be worked:
"8 x 400 = 3.2 Tb/s" is worked in Gb/s."""


@dataclass(frozen=True)
class Operand:
    values: Values
    """In base units (bytes, seconds, ...) when a unit was written, else the bare number; two
    readings for a bare "B": billions ("100B params") or bytes ("x 2 B")."""
    number: float
    """The number as written."""
    has_unit: bool
    factor: float
    unit_text: str
    end: int
    dimension: str | None = None
    """What the unit measures (size, rate, time, ...); None for a bare number or a count."""


@dataclass(frozen=True)
class Slip:
    start: int
    """Offsets of the whole calculation in the cased normalised text."""
    end: int
    result: str
    """The stated result, as written ("2.68 GB")."""
    expected: str
    """What the calculation gives, in the stated result's unit ("1.34 GB")."""

    def correction(self, text: str) -> str:
        return f"{text.strip()} works out to {self.expected}, not {self.result}."


def _operand(text: str, pos: int) -> Operand | None:
    m = QUANTITY_RE.match(text, pos)
    if m is not None and not m.group("hi"):
        unit = unit_of_match(m)
        if unit is not None and unit.dimension not in ("ratio", "percent"):
            number = parse_number(m.group("lo"))
            # The unit as written, without a "per X" qualifier ("GB" of "1.4 GB per rank").
            unit_text = text[m.start("unit") : m.end("unit")]
            values: Values = (number * unit.factor,)
            if unit.dimension == "count" and unit_text == "B":
                values = (number * unit.factor, number)
            dimension = None if unit.dimension == "count" else unit.dimension
            return Operand(values, number, True, unit.factor, unit_text, m.end(), dimension)
    n = _NUMBER_RE.match(text, pos)
    if n is None:
        return None
    end = n.end()
    if text[end : end + 1].isalpha() and not _OP_RE.match(text, end):
        return None  # "4K", "70B params" read as a quantity above, or a word like "3rd"
    number = parse_number(n.group())
    return Operand((number,), number, False, 1.0, "", end)


# "= 327 680 bytes": thousands grouped with spaces, as many write them.
_SPACE_GROUPED_RE = re.compile(r"\d{1,3}(?: \d{3})+(?![\d.,])")


def _result(text: str, pos: int) -> Operand | None:
    """The operand a calculation states as its result, reading "327 680" as one number."""
    grouped = _SPACE_GROUPED_RE.match(text, pos)
    if grouped is None:
        return _operand(text, pos)
    digits = grouped.group().replace(" ", "")
    joined = _operand(digits + text[grouped.end() : grouped.end() + 40], 0)
    if joined is None:
        return _operand(text, pos)
    return replace(joined, end=grouped.end() + joined.end - len(digits))


def _combine(left: Values, right: Values, divide: bool) -> Values:
    out = {a / b if divide else a * b for a in left for b in right if not (divide and b == 0)}
    return tuple(sorted(out))[:8]


MIXED = "mixed"
"""The dimension of a product of several figures with units: whatever it is, not checked."""


def _times(left: str | None, right: str | None, divide: bool) -> str | None:
    """The dimension of left x right (or left / right): one figure with a unit keeps its own."""
    if right is None:
        return left
    return right if left is None and not divide else MIXED


class Term(NamedTuple):
    values: Values
    """In base units where units were written."""
    raw: Values
    """The same calculation on the numbers as written: "419 / (54 x 24 h x 16,384) ≈ 1.97e-5"
    per GPU-hour is worked in hours, not seconds."""
    has_unit: bool
    end: int
    dimension: str | None


def _term(text: str, pos: int) -> Term | None:
    """An operand, a parenthesised product or a square root."""
    root = _ROOT_RE.match(text, pos)
    if root:
        radicand = _term(text, root.end())
        if radicand is None:
            return None
        return radicand._replace(
            values=tuple(math.sqrt(v) for v in radicand.values if v >= 0),
            raw=tuple(math.sqrt(v) for v in radicand.raw if v >= 0),
            dimension=None if radicand.dimension is None else MIXED,
        )
    opening = _OPEN_RE.match(text, pos)
    if opening:
        inner = _product(text, opening.end())
        if inner is None:
            return None
        closing = _CLOSE_RE.match(text, inner[0].end)
        return inner[0]._replace(end=closing.end()) if closing else None
    operand = _operand(text, pos)
    if operand is None:
        return None
    return Term(operand.values, (operand.number,), operand.has_unit, operand.end, operand.dimension)


def _product(text: str, pos: int) -> tuple[Term, int] | None:
    """a x b / c ...: the combined term and its operator count."""
    term = _term(text, pos)
    if term is None:
        return None
    ops = 1 if _ROOT_RE.match(text, pos) else 0  # "√11,016,000 ≈ 3,300" is a calculation too
    while (op := _OP_RE.match(text, term.end)) is not None:
        right = _term(text, op.end())
        if right is None:
            break
        divide = bool(op.group(3)) or op.group(1) in ("/", "÷")
        values = _combine(term.values, right.values, divide=divide)
        if not values:
            return None
        term = Term(
            values,
            _combine(term.raw, right.raw, divide=divide),
            term.has_unit or right.has_unit,
            right.end,
            _times(term.dimension, right.dimension, divide),
        )
        ops += 1
    return term, ops


def _significant_digits(raw: str) -> int:
    digits = raw.replace(",", "").split("e")[0].split("E")[0].lstrip("0.")
    if "." not in raw:
        digits = digits.rstrip("0")
    return max(1, len(digits.replace(".", "")))


def _close(expected: float, stated: float, raw: str) -> bool:
    """Within 15 %, or within the rounding of the stated result ("≈ 1 GB" covers 0.5-1.5)."""
    if stated == 0:
        return expected == 0
    number = parse_number(raw)
    half_unit = 0.5 * 10 ** (math.floor(math.log10(abs(number))) - _significant_digits(raw) + 1)
    tolerance = max(TOLERANCE, half_unit / abs(number)) if number else TOLERANCE
    return abs(expected - stated) <= tolerance * abs(stated)


def _nearest(values: Values, target: float) -> float:
    """The reading closest to the stated result (for showing what it should have been)."""
    if target == 0 or 0 in values:
        return values[0]
    return min(values, key=lambda v: abs(math.log(abs(v) / abs(target))))


def _format(value: float, unit: str) -> str:
    """Three significant digits, without an exponent where one is not needed: "3,320 s"."""
    if 1e-3 <= abs(value) < 1e6:
        digits = 2 - math.floor(math.log10(abs(value)))
        shown = f"{round(value, digits):,.{max(0, digits)}f}"
        shown = shown.rstrip("0").rstrip(".") if digits > 0 else shown
    else:
        shown = f"{value:.3g}"
    return f"{shown} {unit}".strip()


_VIA_RE = re.compile(r"^[^.;:!?\d]{0,40}\b(?:at|over|on|through|via|with|using)\b[^.;!?\d]{0,30}$")
_TAKES_RE = re.compile(
    r"^[^.;!?\d]{0,50}\b(?:takes?|taking|is|that's|it's|in|lands\s+in|needs?|costs?|about|"
    r"roughly|around|under|~|≈|=)[^.;!?\d]{0,12}$"
)
_SPLIT_RE = re.compile(
    r"\b(?:each|every|per|across|parallel|eight|sixteen|nics|links|[ahb][12]00s|devices|"
    r"ranks|gpus|nodes|streams|ways|layer|layers|pipelin\w*|overlap\w*|hidden|exposed)\b"
)


# "... about 10.7 GB of KV. Over a 400 Gb/s NIC that moves in about 27 ms": the size is the
# previous sentence's, named again by "that" / "it".
_VIA_NEXT_RE = re.compile(r"[.;]\s+(?:at|over|on|through|via|with|using)\b[^.;!?\d]{0,30}$", re.I)
_BACK_RE = re.compile(r"\b(?:that|it|this)\b")


def _size_before(quantities: list[Quantity], at: int) -> Quantity | None:
    """The size a transfer at quantities[at] (a rate) moves: the quantity right before it, or
    one sentence back past figures that are not sizes, rates or times ("for a 4K prompt")."""
    for back in range(at - 1, max(at - 4, -1), -1):
        q = quantities[back]
        if q.unit.dimension == "size":
            return q
        if q.unit.dimension in ("rate", "time"):
            return None
    return None


def _sentence_start(cased: str, at: int) -> int:
    return max(cased.rfind(mark, 0, at) for mark in (". ", "! ", "? ", "\n")) + 1


def _transfer_slip(size: Quantity, rate: Quantity, time: Quantity, cased: str) -> Slip | None:
    """The slip in "SIZE ... RATE ... TIME" (in either order of size and rate), if any."""
    start, end = min(size.start, rate.start), time.end
    if (
        # From the sentence start ("on 8 H100s at 3.35 TB/s, 141 GB takes 5.3 ms") to the time
        # ("25 ms per step" splits nothing).
        _SPLIT_RE.search(cased[_sentence_start(cased, start) : time.start].lower())
        or size.unit.per
        or rate.unit.per
        or size.lo != size.hi
        or rate.lo != rate.hi
        or time.lo != time.hi
    ):
        return None
    expected = size.lo * size.unit.factor / (rate.lo * rate.unit.factor)
    raw = _NUMBER_RE.match(time.text)
    if raw is None or _close(expected, time.lo * time.unit.factor, raw.group()):
        return None
    unit = time.text[len(raw.group()) :].strip()
    return Slip(start, end, time.text, _format(expected / time.unit.factor, unit))


# "At 50 GB/s, a 1.4 TB checkpoint takes 28 s", "sustains 50 GB/s, so a 1.4 TB save takes ...".
# "a file system that sustains, say, 100 GB/s aggregate, the whole 1.4 TB lands in 1.4 s"
_RATE_FIRST_LEAD_RE = re.compile(
    r"\b(?:at|over|with|using|via|sustains?|sustaining|delivers?|delivering|provides?|providing)"
    r"(?:,?\s+say,)?\s+(?:about\s+|~\s*)?$",
    re.I,
)
_RATE_FIRST_BETWEEN_RE = re.compile(r"^[^.;!?\d]{0,60}$")
_SO_RE = re.compile(r"\b(?:so|then|thus|hence|means?|meaning)\b", re.I)


def _transfers(cased: str, quantities: list[Quantity]) -> list[Slip]:
    """ "1.4 TB at 50 GB/s takes about 28 s": size / rate = time."""
    found = []
    for at, rate in enumerate(quantities[:-1]):
        if rate.unit.dimension != "rate":
            continue
        time = quantities[at + 1]
        size = _size_before(quantities, at)
        if time.unit.dimension == "time" and size is not None:
            between, after = cased[size.end : rate.start], cased[rate.end : time.start]
            if _TAKES_RE.match(after) and (
                _VIA_RE.match(between)
                or (len(between) <= 80 and _VIA_NEXT_RE.search(between) and _BACK_RE.search(after))
            ):
                if slip := _transfer_slip(size, rate, time, cased):
                    found.append(slip)
        elif at + 2 < len(quantities):  # the rate first: RATE ... SIZE ... TIME
            size, time = quantities[at + 1], quantities[at + 2]
            between = cased[rate.end : size.start]
            if (
                (size.unit.dimension, time.unit.dimension) == ("size", "time")
                and _RATE_FIRST_BETWEEN_RE.match(between)
                and _TAKES_RE.match(cased[size.end : time.start])
                and (
                    _RATE_FIRST_LEAD_RE.search(cased[max(0, rate.start - 25) : rate.start])
                    or _SO_RE.search(between)
                )
                and (slip := _transfer_slip(size, rate, time, cased))
            ):
                found.append(slip)
    return found


# "1.4 TB over 1,000 ranks is about 1.4 GB per rank": size / count = size per rank (the size may
# end the sentence before, when "that" or "it" names it again).
_SHARE_COUNT_RE = re.compile(
    r"^(?P<next>[.;]\s+)?[^.;!?\d]{0,30}?\b(?:over|across|among|between|by|on)\s+(?:all\s+|the\s+)?"
    r"(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<k>[kK]\b)?\s*(?:ranks|gpus|nodes|workers|"
    r"devices|processes|h100s|a100s)\b(?:(?!zero|stage|ddp|replica|plus|with)[^.;!?\d+]){0,25}$",
    re.IGNORECASE,
)


# "... 400 GB. Split across 1,000 GPUs, each rank writes a 40 GB shard."
_PARTICIPLE_RE = re.compile(
    r"[.;]\s+(?:split|spread|sharded|divided|partitioned|distributed)\b", re.I
)
_SHARD_RE = re.compile(r"\s*(?:shards?|slices?|pieces?)\b", re.I)


def _shares(cased: str, quantities: list[Quantity]) -> list[Slip]:
    """ "1.4 TB over 1,000 ranks is about 14 GB per rank": the share does not follow."""
    found = []
    for total, share in zip(quantities, quantities[1:], strict=False):
        if (
            (total.unit.dimension, share.unit.dimension) != ("size", "size")
            or total.lo != total.hi
            or share.lo != share.hi
            or total.unit.per
            or not (share.unit.per in ("gpu", "node") or _SHARD_RE.match(cased, share.end))
        ):
            continue
        between = cased[total.end : share.start]
        count = _SHARE_COUNT_RE.match(between)
        raw = _NUMBER_RE.match(share.text)
        if count is None or raw is None:
            continue
        if count.group("next") and not (
            _BACK_RE.search(between[count.end("n") :]) or _PARTICIPLE_RE.match(between)
        ):
            continue  # "... 600 GB. Spread over 1,000 GPUs that's 6 GB per rank" names it again
        n = parse_number(count.group("n")) * (1000 if count.group("k") else 1)
        expected = total.lo * total.unit.factor / n if n >= 2 else None
        if expected is not None and not _close(expected, share.lo * share.unit.factor, raw.group()):
            unit = share.text[len(raw.group()) :].strip()
            found.append(
                Slip(
                    total.start, share.end, share.text, _format(expected / share.unit.factor, unit)
                )
            )
    return found


# "400 Gb/s ÷ 8 = 50 GB/s": bits over eight, read as bytes - a change of unit, right when both
# sides are the same rate, not a division of the rate.
_OVER_EIGHT_RE = re.compile(rf"\s*(?:[/÷]|divided\s+by)\s*8\s*(?:≈|~=|≃|=|{_EQ_WORDS})\s*~?\s*")


def _to_bytes(calculation: str) -> Values | None:
    """For "X Gb/s / 8 = Y GB/s", X Gb/s in bytes (what Y should be); None for other shapes."""
    bits = QUANTITY_RE.match(calculation)
    over = bits and _OVER_EIGHT_RE.match(calculation, bits.end())
    result = over and QUANTITY_RE.match(calculation, over.end())
    if not (bits and result):
        return None
    a, b = unit_of_match(bits), unit_of_match(result)
    if a is None or b is None or (a.family, b.family) != ("bits", "bytes"):
        return None
    return (parse_number(bits.group("lo")) * a.factor,)


_EQUALS_RE = re.compile(rf"[=≈≃]|\b{_EQ_WORDS}")
_PERCENT_RE = re.compile(r"\s?%")
_RIGHT_OPERAND_RE = re.compile(r"(?:[×*·/÷]|(?<![\w.])x)\s*$")
_TERM_OF_A_SUM_RE = re.compile(r"[+\-−]\s*$")
REACH = 120
"""How far before an equals sign a calculation may start, in characters."""


def slips(cased: str, quantities: list[Quantity] | None = None) -> list[Slip]:
    """Calculations in the answer whose stated result does not follow from their operands
    (`quantities`: the answer's, when already found)."""
    quantities = find_quantities(cased) if quantities is None else quantities
    found: list[Slip] = _transfers(cased, quantities) + _shares(cased, quantities)
    equals = [m.start() for m in _EQUALS_RE.finditer(cased)]
    pos = 0
    while (start := _START_RE.search(cased, pos)) is not None:
        pos = start.start() + 1
        ahead = bisect_left(equals, start.start())
        if ahead == len(equals) or equals[ahead] - start.start() > REACH:
            # No "=" close enough ahead: not a calculation (most numbers of an answer).
            if ahead == len(equals):
                break
            pos = equals[ahead] - REACH
            continue
        if _TERM_OF_A_SUM_RE.search(cased, max(0, start.start() - 3), start.start()):
            continue  # "280 + 840/64 = 293 GB": one term of a sum this does not add up
        if _RIGHT_OPERAND_RE.search(cased, max(0, start.start() - 4), start.start()):
            continue  # "2 x 40 L x 5120 x 2 B = 800 KB": the tail of a product not read whole
        lhs = _product(cased, start.start())
        if lhs is None or lhs[1] == 0:
            continue
        values, raw_values, has_unit, end, dimension = lhs[0]
        # A chain: "2 x 80 x 8 x 128 x 2 = 327,680 B ≈ 320 KiB".
        while (eq := _EQ_RE.match(cased, end)) is not None:
            rhs = _result(cased, eq.end())
            if rhs is None:
                break
            percent = _PERCENT_RE.match(cased, rhs.end)
            if percent and not rhs.has_unit:  # "1/8 = 12.5%"
                rhs = replace(
                    rhs, values=(rhs.number / 100,), has_unit=True, factor=0.01, unit_text="%",
                    end=percent.end(),
                )  # fmt: skip
            if dimension not in (None, MIXED) and rhs.dimension not in (None, dimension):
                break  # "at 8 x 3.35 TB/s ≈ 5.3 ms": a rate and a time, two halves of a sentence
            raw_text = cased[eq.end() : rhs.end]
            digits = _NUMBER_RE.match(raw_text)
            raw = digits.group() if digits else raw_text
            # Bare numbers with a result in units: "8 x 400 = 3.2 Tb/s" works in Gb/s, one
            # prefix below the result's.
            targets = [*rhs.values] + (
                [rhs.number * 1000.0**k for k in _PREFIX_STEPS]
                if rhs.has_unit and not has_unit
                else []
            )
            values = _to_bytes(cased[start.start() : rhs.end]) or values
            # A bare result of figures with units may be worked in the units as written.
            readings = values + (raw_values if has_unit and not rhs.has_unit else ())
            if not any(_close(v, t, raw) for v in readings for t in targets):
                # Show the value in the result's unit: "327,680 x 4,096 = 2.68 GB" -> 1.34 GB.
                value = _nearest(values, rhs.values[0])
                in_unit = has_unit or percent or value > 1e3 * rhs.number
                shown = value / rhs.factor if in_unit else value
                if not in_unit and value > 0 and rhs.number > 0:
                    # "8 x 400 = 4.8 Tb/s" is worked one prefix below the result: 3.2 Tb/s
                    shown = min(
                        (value / 1000.0**k for k in _PREFIX_STEPS),
                        key=lambda v: abs(math.log(v / rhs.number)),
                    )
                found.append(
                    Slip(start.start(), rhs.end, raw_text.strip(), _format(shown, rhs.unit_text))
                )
                break
            values, has_unit, end, dimension = rhs.values, rhs.has_unit, rhs.end, rhs.dimension
            raw_values = (rhs.number,)
        pos = max(pos, end)
    return found
