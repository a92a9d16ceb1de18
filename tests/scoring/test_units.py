"""Numbers with units, as candidates write them."""

from __future__ import annotations

import pytest

from coach.scoring.units import find_quantities, parse_unit


def only(text: str) -> tuple[float, float, str, str | None]:
    found = find_quantities(text)
    assert len(found) == 1, found
    q = found[0]
    return (q.lo * q.unit.factor, q.hi * q.unit.factor, q.unit.dimension, q.unit.family)


@pytest.mark.parametrize(
    ("text", "base", "dimension", "family"),
    [
        ("900 GB/s", 900e9, "rate", "bytes"),
        ("0.9 TB/s", 900e9, "rate", "bytes"),
        ("900GBps", 900e9, "rate", "bytes"),
        ("400 Gb/s", 50e9, "rate", "bits"),
        ("400Gbps", 50e9, "rate", "bits"),
        ("400 gbps", 50e9, "rate", "bits"),
        ("400 Gbit/s", 50e9, "rate", "bits"),
        ("400G", 50e9, "rate", "bits"),
        ("400GbE", 50e9, "rate", "bits"),
        ("3.2 Tb/s", 400e9, "rate", "bits"),
        ("50 GB/s", 50e9, "rate", "bytes"),
        ("3.35 TB/s", 3.35e12, "rate", "bytes"),
        ("1.12 TB", 1.12e12, "size", "bytes"),
        ("140GB", 140e9, "size", "bytes"),
        ("2.2GB", 2.2e9, "size", "bytes"),
        ("1.25 GiB", 1.25 * 2**30, "size", "bytes"),
        ("1.6 terabytes", 1.6e12, "size", "bytes"),
        ("3.35 terabytes/sec", 3.35e12, "rate", "bytes"),
        # Spoken, as in a transcribed interview.
        ("one point one two terabytes", 1.12e12, "size", "bytes"),
        ("a hundred and forty gigabytes", 140e9, "size", "bytes"),
        ("seventeen and a half gigs", 17.5e9, "size", "bytes"),
        ("two ninety gigs", 290e9, "size", "bytes"),
        ("four hundred gigabits a second", 50e9, "rate", "bits"),
        ("four hundred gigabytes a sec", 400e9, "rate", "bytes"),
        ("twenty-seven milliseconds", 0.027, "time", None),
        ("sixty-four x", 64.0, "ratio", None),
        ("seventy billion", 70e9, "count", None),
        ("70 billion", 70e9, "count", None),
        ("70B", 70e9, "count", None),
        ("327,680 B", 327680.0, "size", "bytes"),
        ("twenty percent", 20.0, "percent", None),
        ("50 gigabytes a second", 50e9, "rate", "bytes"),
        ("64 Gb", 8e9, "size", "bits"),
        ("1,000 MB", 1e9, "size", "bytes"),
        ("17,5 GB", 17.5e9, "size", "bytes"),  # a decimal comma
        ("~2,2 GB", 2.2e9, "size", "bytes"),
        ("1e3 GB", 1e12, "size", "bytes"),
        ("160 ms", 0.16, "time", None),
        ("0.16 s", 0.16, "time", None),
        ("3 minutes", 180.0, "time", None),
        ("989 TFLOPS", 989e12, "flops", None),
        ("4x", 4.0, "ratio", None),
        ("8×", 8.0, "ratio", None),
        ("70B", 70e9, "count", None),
    ],
)
def test_find_quantities_converts_to_base_units(
    text: str, base: float, dimension: str, family: str | None
) -> None:
    lo, hi, dim, fam = only(f"it is {text} here")
    assert lo == pytest.approx(base)
    assert hi == pytest.approx(base)
    assert (dim, fam) == (dimension, family)


@pytest.mark.parametrize(
    ("text", "base", "dimension"),
    [
        ("320 KiB/token", 320 * 1024, "size/token"),
        ("~0.33 MB per token", 0.33e6, "size/token"),
        ("~320 KB per token", 320e3, "size/token"),
        ("2 mb/token", 2e6, "size/token"),
        ("16 bytes per parameter", 16.0, "size/param"),
        ("16 B/param", 16.0, "size/param"),
        ("2.2 GB/GPU", 2.2e9, "size"),
        ("17.5 GB per GPU", 17.5e9, "size"),
    ],
)
def test_find_quantities_reads_per_unit_denominators(
    text: str, base: float, dimension: str
) -> None:
    lo, _, dim, _ = only(text)
    assert lo == pytest.approx(base)
    assert dim == dimension


@pytest.mark.parametrize(
    "text", ["about 1.3-1.4 GB", "1.3 to 1.4 GB", "1.3~1.4 GB", "1.3 ~ 1.4 GB"]
)
def test_find_quantities_reads_a_range_as_low_and_high(text: str) -> None:
    lo, hi, dim, _ = only(text)
    assert (lo, hi, dim) == (pytest.approx(1.3e9), pytest.approx(1.4e9), "size")


def test_a_tilde_before_a_figure_is_about_not_a_range() -> None:
    # "stage 2 ~155 GB" is stage 2, then about 155 GB (not 2-155 GB)
    lo, hi, _, _ = only("ZeRO stage 2 ~155 GB per GPU")
    assert (lo, hi) == (pytest.approx(155e9), pytest.approx(155e9))


def test_find_quantities_skips_bare_numbers_and_version_numbers() -> None:
    assert find_quantities("NVLink 4.0 on 1,000 GPUs with 8 nodes") == []


def test_find_quantities_per_gpu_is_kept_as_a_qualifier() -> None:
    (q,) = find_quantities("2.2 GB/GPU")
    assert q.unit.per == "gpu"


@pytest.mark.parametrize("unit", ["GB/s", "Gb/s", "MB/token", "ms", "x", "TB", "GiB", "B/param"])
def test_parse_unit_accepts_rubric_units(unit: str) -> None:
    assert parse_unit(unit).factor > 0


@pytest.mark.parametrize("unit", ["parsecs", "GB/fortnight", ""])
def test_parse_unit_rejects_unknown_units(unit: str) -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        parse_unit(unit)


@pytest.mark.parametrize(
    "text",
    ["one NIC per GPU", "stage one shards the optimizer", "a second copy", "one two three GB",
     "bf16 weights", "70 bfloat16"],
)  # fmt: skip
def test_words_that_are_not_spoken_quantities(text: str) -> None:
    assert find_quantities(text) == []


def test_spoken_quantity_points_at_the_words_said() -> None:
    text = "Then, um, about one point four terabytes, and 8 GB over 400 Gb/s."
    assert [text[q.start : q.end] for q in find_quantities(text)] == [
        "one point four terabytes", "8 GB", "400 Gb/s",
    ]  # fmt: skip


def test_a_spoken_llama_version_is_not_part_of_the_model_size() -> None:
    text = "For Llama three seventy B, four K tokens is one point three gigabytes."
    assert [(text[q.start : q.end], q.lo) for q in find_quantities(text)] == [
        ("seventy B", 70.0), ("one point three gigabytes", 1.3),
    ]  # fmt: skip


def test_a_power_of_ten_in_superscript_is_one_number() -> None:
    from coach.scoring.text import normalize

    text = normalize("1.342 × 10⁹ B per 4K sequence; 10⁹ bytes; O(n²) attention").cased
    assert [(q.lo, q.unit.dimension) for q in find_quantities(text)] == [
        (1.342e9, "size"), (1e9, "size"),
    ]  # fmt: skip
