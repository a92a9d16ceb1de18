"""Numbers with units: parse what candidates write, convert to one base unit per dimension.

Byte units use a capital B (GB, GB/s, GBps); bit units a lower-case b (Gb/s, Gbps, Gbit) or
a bare G on a link rate (400G, 400GbE). An all-lower-case rate ("gbps") is bits, as in network
data sheets; an all-lower-case size ("gb") is bytes, because sizes are almost never in bits.
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
    "hours": 3600.0, "day": 86400.0, "days": 86400.0,
}  # fmt: skip
_PER_KIND = {
    "token": "token", "tok": "token", "param": "param", "parameter": "param", "gpu": "gpu",
    "rank": "gpu", "device": "gpu", "node": "node", "server": "node", "direction": "direction",
    "way": "direction", "link": "link", "port": "link", "nic": "link", "step": "step",
    "layer": "layer", "request": "request", "sequence": "request", "seq": "request",
}  # fmt: skip

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?"
_BYTE_UNIT = r"""
    (?P<pre>[kKmMgGtTpP]?)(?P<bin>i?)(?P<b>[bB])(?P<long>its?|ytes?|it|yte)?
      (?P<rate>/s(?:ec)?\b|ps\b|\s+per\s+second\b|/second\b)?
  | (?P<wpre>kilo|mega|giga|tera|peta|Kilo|Mega|Giga|Tera|Peta)?(?P<word>bytes?|bits?)
      (?P<wrate>\s+per\s+second\b|/s(?:ec)?\b|/second\b|\s+a\s+second\b)?
"""
_UNIT = rf"""
    (?P<flops>[GTPE]FLOP(?:S|s|/s)?)
  | (?P<barelink>G(?:bE)?|T)(?![a-zA-Z])
  | {_BYTE_UNIT}
  | (?P<time>ns|us|µs|μs|ms|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|h|s|min|hr|day)
      (?![a-zA-Z])
  | (?P<ratio>[x×])(?![a-zA-Z0-9])
  | (?P<pct>%)
"""
_PER = r"(?i:\s*/\s*|\s+per\s+|\s+(?:a|each)\s+)(?i:(?P<per>tokens?|toks?|parameters?|params?|gpus?|ranks?|devices?|nodes?|servers?|directions?|way|links?|ports?|nics?|steps?|layers?|requests?|sequences?|seqs?))\b"  # noqa: E501

QUANTITY_RE = re.compile(
    rf"""(?<![\w.])(?P<lo>{_NUMBER})
    (?:\s*(?:-|to|~)\s*(?P<hi>{_NUMBER}))?
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


def _number(raw: str) -> float:
    return float(raw.replace(",", ""))


def _unit_from_match(m: re.Match[str]) -> Unit | None:
    group = m.groupdict()
    per = _PER_KIND.get((group.get("per") or "").lower().rstrip("s")) or _PER_KIND.get(
        (group.get("per") or "").lower()
    )
    if group.get("flops"):
        return Unit("flops", _DECIMAL[group["flops"][0].lower()] if group["flops"][0] != "E"
                    else 1e18, None, per)  # fmt: skip
    if group.get("time"):
        return Unit("time", _TIME[group["time"]], None, per)
    if group.get("ratio"):
        return Unit("ratio", 1.0, None, per)
    if group.get("pct"):
        return Unit("percent", 1.0, None, per)
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
    unit = _unit_from_match(m) if m else None
    if unit is None:
        raise ValueError(f"unknown unit {text!r}")
    return unit


def find_quantities(cased: str) -> list[Quantity]:
    """Every number-with-unit in the (case-preserved) normalised answer."""
    found = []
    for m in QUANTITY_RE.finditer(cased):
        unit = _unit_from_match(m)
        if unit is None:
            continue
        lo = _number(m.group("lo"))
        hi = _number(m.group("hi")) if m.group("hi") else lo
        if hi < lo:
            lo, hi = hi, lo
        found.append(Quantity(lo, hi, unit, m.start(), m.end(), m.group()))
    return found
