"""Numbers with units: parse what candidates write, convert to one base unit per dimension.

Byte units use a capital B (GB, GB/s, GBps); bit units a lower-case b (Gb/s, Gbps, Gbit) or
a bare G on a link rate (400G, 400GbE). An all-lower-case rate ("gbps") is bits, as in network
data sheets; an all-lower-case size ("gb") is bytes, because sizes are almost never in bits.
Numbers may be spoken ("one point four terabytes", "a hundred forty gigs", "seventeen and a half
gigabytes per GPU", "four hundred gigabits a second"), as in a transcribed interview.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_DECIMAL = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15}
_BINARY = {"k": 2.0**10, "m": 2.0**20, "g": 2.0**30, "t": 2.0**40, "p": 2.0**50}
_WORD_PREFIX = {"kilo": "k", "mega": "m", "giga": "g", "tera": "t", "peta": "p"}
_TIME = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "sec": 1.0,
    "secs": 1.0, "second": 1.0, "seconds": 1.0, "min": 60.0, "mins": 60.0, "minute": 60.0,
    "minutes": 60.0, "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0,
    "hours": 3600.0, "day": 86400.0, "days": 86400.0, "millisecond": 1e-3,
    "milliseconds": 1e-3, "microsecond": 1e-6, "microseconds": 1e-6,
}  # fmt: skip
_PER_KIND = {
    "token": "token", "tok": "token", "param": "param", "parameter": "param", "gpu": "gpu",
    "rank": "gpu", "device": "gpu", "node": "node", "server": "node", "direction": "direction",
    "way": "direction", "link": "link", "port": "link", "nic": "link", "step": "step",
    "layer": "layer", "request": "request", "sequence": "request", "seq": "request",
}  # fmt: skip

# "1.34 × 10^9" (written 10⁹: normalisation turns a superscript into "^9") is one number.
_POWER = r"(?:(?:\d*\.\d+|\d+)\s?[×x·*]\s?)?10\^[+-]?\d+"
_DECIMAL_COMMA = r"\d{1,3},\d{1,2}"  # "17,5 GB" is 17.5 GB
NUMBER = (
    rf"{_POWER}|\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|{_DECIMAL_COMMA}(?![\d,])"
    r"|\d*\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?"
)
_BYTE_UNIT = r"""
    (?P<pre>[kKmMgGtTpP]?)(?P<bin>i?)(?P<b>[bB])(?P<long>its?|ytes?|it|yte)?
      (?P<rate>/s(?:ec)?\b|ps\b|\s+per\s+second\b|/second\b)?(?![a-zA-Z])
  | (?P<wpre>kilo|mega|giga|tera|peta|Kilo|Mega|Giga|Tera|Peta)?(?P<word>bytes?|bits?)
      (?P<wrate>\s+per\s+sec(?:ond)?\b|/s(?:ec)?\b|/second\b|\s+a\s+sec(?:ond)?\b)?
"""
_UNIT = rf"""
    (?P<flops>[GTPE]FLOP(?:S|s|/s)?)
  | (?P<barelink>G(?:bE)?|T)(?![a-zA-Z])
  | {_BYTE_UNIT}
  | (?P<time>ns|us|µs|μs|ms|milliseconds?|microseconds?|seconds?|secs?|minutes?|mins?|hours?
      |hrs?|days?|h|s|min|hr|day)
      (?![a-zA-Z])
  | (?P<ratio>[x×])(?![a-zA-Z0-9])(?!\s*\d)
  | (?P<times>times)(?=\s+(?:faster|slower|more|less|larger|smaller|higher|lower|bigger|as)\b)
  | (?P<pct>%|percent\b)
  | (?P<gig>gigs?)\b
  | (?P<scale>thousand|million|billion|trillion)\b
"""
_PER = r"(?i:\s*/\s*|\s+per\s+|\s+(?:a|each)\s+)(?i:(?P<per>tokens?|toks?|parameters?|params?|gpus?|ranks?|devices?|nodes?|servers?|directions?|way|links?|ports?|nics?|steps?|layers?|requests?|sequences?|seqs?))\b"  # noqa: E501

# A range is "1.3-1.4", "1.3 to 1.4", "1.3~1.4" or "1.3 ~ 1.4"; "stage 2 ~155 GB" is stage 2
# and about 155 GB.
QUANTITY_RE = re.compile(
    rf"""(?<![\w.^])(?P<lo>{NUMBER})
    (?:(?:\s*(?:-|to)\s*|~|\s+~\s+)(?P<hi>{NUMBER}))?
    \s?(?P<unit>{_UNIT})(?:{_PER})?""",
    re.VERBOSE,
)
_UNIT_ONLY_RE = re.compile(rf"^(?P<unit>{_UNIT})(?:{_PER})?$", re.VERBOSE)


@dataclass(frozen=True)
class Unit:
    dimension: str
    """size, rate, time, flops, ratio, percent, count, size/token, size/param, ..."""
    factor: float
    """Multiply a number written in this unit by factor to get the dimension's base unit."""
    family: str | None
    """"bytes" or "bits" for data units; None otherwise."""
    per: str | None


@dataclass(frozen=True)
class Quantity:
    lo: float
    hi: float
    """Equal to lo unless a range ("1.3-1.4 GB") was written."""
    unit: Unit
    start: int
    """Offset into the cased normalised text."""
    end: int
    text: str


_POWER_RE = re.compile(_POWER)
_DECIMAL_COMMA_RE = re.compile(_DECIMAL_COMMA)


def parse_number(raw: str) -> float:
    if _POWER_RE.fullmatch(raw):  # "1.34 × 10^9", "10^9"
        mantissa, _, exponent = raw.rpartition("10^")
        return float(mantissa.rstrip().rstrip("×x·*").rstrip() or 1) * 10.0 ** int(exponent)
    if _DECIMAL_COMMA_RE.fullmatch(raw):
        return float(raw.replace(",", "."))
    return float(raw.replace(",", ""))


def unit_of_match(m: re.Match[str]) -> Unit | None:
    group = m.groupdict()
    per = _PER_KIND.get((group.get("per") or "").lower().rstrip("s")) or _PER_KIND.get(
        (group.get("per") or "").lower()
    )
    if group.get("flops"):
        return Unit("flops", _DECIMAL[group["flops"][0].lower()] if group["flops"][0] != "E"
                    else 1e18, None, per)  # fmt: skip
    if group.get("time"):
        return Unit("time", _TIME[group["time"]], None, per)
    if group.get("ratio") or group.get("times"):
        return Unit("ratio", 1.0, None, per)
    if group.get("pct"):
        return Unit("percent", 1.0, None, per)
    if group.get("gig"):  # "seventeen gigs per GPU"
        return _data_unit("g", binary=False, bits=False, rate=False, per=per)
    if group.get("scale"):  # "70 billion (parameters)"
        return Unit("count", _SCALES[group["scale"]], None, per)
    if group.get("barelink"):
        scale = 1e9 if group["barelink"].startswith("G") else 1e12
        return Unit("rate", scale / 8, "bits", per)
    if group.get("word"):
        prefix = _WORD_PREFIX.get((group.get("wpre") or "").lower(), "")
        bits = group["word"].startswith("bit")
        rate = bool(group.get("wrate"))
        return _data_unit(prefix, binary=False, bits=bits, rate=rate, per=per)
    if group.get("b"):
        pre, b, long = group["pre"], group["b"], group.get("long") or ""
        rate = bool(group.get("rate"))
        binary = bool(group.get("bin"))
        if b == "B" and not pre and not long and not rate and not binary:
            # "70B": billions (of parameters or tokens), unless it is a per-X size ("16 B/param").
            if per in ("param", "token"):
                return _data_unit("", binary=False, bits=False, rate=False, per=per)
            return Unit("count", 1e9, None, per)
        if long.startswith("it"):
            bits = True
        elif long.startswith("yte"):
            bits = False
        elif b == "B":
            bits = False
        else:  # lower-case b: bits, except an all-lower-case size ("2 mb per token")
            bits = rate or pre.isupper() or pre == ""
        return _data_unit(pre.lower(), binary=binary, bits=bits, rate=rate, per=per)
    return None


def _data_unit(prefix: str, *, binary: bool, bits: bool, rate: bool, per: str | None) -> Unit:
    factor = (_BINARY if binary and prefix else _DECIMAL)[prefix]
    if bits:
        factor /= 8
    dimension = "rate" if rate else "size"
    if dimension == "size" and per in ("token", "param"):
        dimension = f"size/{per}"
    return Unit(dimension, factor, "bits" if bits else "bytes", per)


@functools.lru_cache(maxsize=512)
def parse_unit(text: str) -> Unit:
    """Parse a unit as a rubric author writes it ("GB/s", "Gb/s", "MB/token", "ms", "x")."""
    m = _UNIT_ONLY_RE.match(text.strip())
    unit = unit_of_match(m) if m else None
    if unit is None:
        raise ValueError(f"unknown unit {text!r}")
    return unit


_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SMALL = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * n
    for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_WORD_RE = re.compile(r"[a-z]+")
_SPOKEN_WORDS = set(_SMALL) | set(_TENS) | {"hundred", "point", "a", "and", "half"}
# Matched on the lower-cased text. "zero" does not start one: it is ZeRO far more often.
_SPOKEN_RE = re.compile(
    r"\b(?:"
    + "|".join(sorted((set(_SMALL) - {"zero"}) | set(_TENS), key=len, reverse=True))
    + r"|a\s+hundred)\b"
    r"(?:[\s-]+(?:" + "|".join(sorted(_SPOKEN_WORDS, key=len, reverse=True)) + r")\b)*"
)
# A spoken number right before a unit: most answers say "one NIC" or "two tiers", never a
# spoken quantity, and skip the conversion.
_SPOKEN_STARTS = frozenset(_SMALL) | frozenset(_TENS) | {"hundred", "half"}
_SPOKEN_UNITS = frozenset(
    f"{prefix}{unit}" for prefix in ("", "kilo", "mega", "giga", "tera", "peta")
    for unit in ("byte", "bytes", "bit", "bits")
) | frozenset(
    """gig gigs percent x thousand million billion trillion hour hours minute minutes second
    seconds day days millisecond milliseconds ms kb mb gb tb kib mib gib tib gbps tbps gbit
    tbit tflops pflops""".split()
)  # fmt: skip


def says_spoken_quantity(words: list[str]) -> bool:
    """Do these (lower-case) words hold a spoken number followed by a unit?"""
    return any(
        a in _SPOKEN_STARTS and b in _SPOKEN_UNITS for a, b in zip(words, words[1:], strict=False)
    )


def _integer(words: list[str]) -> int | None:
    """ "sixty four" -> 64, "a hundred and forty" -> 140, "two ninety" -> 290 (as said aloud)."""
    words = [w for w in words if w != "and"]
    if words[:1] == ["a"]:
        words = ["one", *words[1:]]
    if len(words) >= 2 and 1 <= _SMALL.get(words[0], 0) <= 9 and words[1] in _TENS:
        rest = _integer(words[1:])  # "one twenty-eight": 128
        return None if rest is None else _SMALL[words[0]] * 100 + rest
    total, last = 0, ""
    for word in words:
        if word in _SMALL and last not in ("small", "teen"):
            total += _SMALL[word]
            last = "teen" if _SMALL[word] >= 10 else "small"
        elif word in _TENS and last in ("", "hundred"):
            total, last = total + _TENS[word], "tens"
        elif word == "hundred" and last in ("small",) and total < 10:
            total, last = total * 100, "hundred"
        else:
            return None
    return total if last else None


def _spoken_value(words: list[str]) -> float | None:
    half = words[-3:] == ["and", "a", "half"]
    if half:
        words = words[:-3]
    if "point" in words:
        k = words.index("point")
        whole = _integer(words[:k]) if k else 0
        digits = [_SMALL.get(w, 10) for w in words[k + 1 :]]
        if whole is None or not digits or max(digits) > 9:
            return None
        return float(f"{whole}.{''.join(map(str, digits))}")
    value = _integer(words) if words else None
    return None if value is None else value + (0.5 if half else 0.0)


def _digits_for_spoken(cased: str, lower: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    """The text with spoken numbers written in digits, and (digits_start, digits_end,
    start, end) for each replacement so offsets can be mapped back."""
    parts, spans, done, shift = [], [], 0, 0
    for m in _SPOKEN_RE.finditer(lower):
        pieces = list(_WORD_RE.finditer(m.group()))
        while pieces and pieces[-1].group() in ("a", "and", "point"):
            pieces.pop()  # "sixty-four and ...", "two a ..."
        begin = m.start()
        if len(pieces) > 1 and lower[:begin].rstrip(" -").endswith("llama"):
            begin += pieces[1].start()  # "Llama three seventy B": version 3, 70B
            pieces = pieces[1:]
        value = _spoken_value([p.group() for p in pieces]) if pieces else None
        if value is None:
            continue
        end = m.start() + pieces[-1].end()
        digits = f"{value:g}"
        parts.append(cased[done:begin] + digits)
        spans.append((begin + shift, begin + shift + len(digits), begin, end))
        shift += len(digits) - (end - begin)
        done = end
    parts.append(cased[done:])
    return "".join(parts), spans


def _original(offset: int, spans: list[tuple[int, int, int, int]], *, end: bool) -> int:
    shift = 0
    for d_start, d_end, start, stop in spans:
        if offset < d_start:
            break
        if offset <= d_end and (offset < d_end or end):
            return stop if end else start
        shift = stop - d_end
    return offset + shift


def find_quantities(cased: str, *, spoken: bool | None = None) -> list[Quantity]:
    """Every number-with-unit in the (case-preserved) normalised answer. `spoken`: whether the
    answer may say a number in words before a unit (see says_spoken_quantity); None: find out."""
    spans: list[tuple[int, int, int, int]] = []
    text = cased
    if spoken is None:
        spoken = says_spoken_quantity(_WORD_RE.findall(cased.lower()))
    if spoken and len(lower := cased.lower()) == len(cased):  # lower() kept the offsets
        text, spans = _digits_for_spoken(cased, lower)
    found = []
    for m in QUANTITY_RE.finditer(text):
        unit = unit_of_match(m)
        if unit is None:
            continue
        lo = parse_number(m.group("lo"))
        hi = parse_number(m.group("hi")) if m.group("hi") else lo
        if hi < lo:
            lo, hi = hi, lo
        if unit.dimension == "count" and m.group("unit") == "B" and lo >= 10_000:
            unit = _data_unit("", binary=False, bits=False, rate=False, per=unit.per)  # 327,680 B
        start, end = m.start(), m.end()
        if spans:
            start, end = _original(start, spans, end=False), _original(end, spans, end=True)
        found.append(Quantity(lo, hi, unit, start, end, cased[start:end]))
    return found
