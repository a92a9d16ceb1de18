"""Worked arithmetic in answers: a stated result that does not follow is reported, with what it
should have been; right results, rounding and prose that splits a transfer are left alone."""

from __future__ import annotations

import pytest

from coach.scoring import Rubric, grade
from coach.scoring.arithmetic import MISCONCEPTION_ID, slips
from coach.scoring.text import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("327,680 x 4,096 ≈ 2.68 GB per sequence.", "1.34 GB"),
        ("ZeRO-3 holds 1,120 / 64 ≈ 35 GB per GPU.", "17.5 GB"),
        ("70 GB / 4.8 TB/s ≈ 21 ms on an H200.", "14.6 ms"),
        ("8 x 400 Gb/s = 3.2 Tb/s = 800 GB/s per node.", "400 GB/s"),
        ("1.4 TB / 1,000 ≈ 14 GB per rank.", "1.4 GB"),
        ("1.4 TB at 50 GB/s takes about 2.8 s.", "28 s"),
        ("8 GB over a 400 Gb/s link takes about 20 ms.", "160 ms"),
        ("400 Gb/s / 8 = 40 GB/s per GPU.", "50 GB/s"),  # bits over eight are bytes
        ("Young: √11,016,000 ≈ 10,500 s.", "3,320 s"),  # square roots, as in Young/Daly
        ("T = sqrt(2 x 30 s x 183,600 s) ≈ 5 min.", "55.3 min"),
        # The size named a sentence earlier, and "that" for it.
        ("The KV is 10.7 GB for a 4K prompt. Over a 400 Gb/s NIC that moves in 27 ms.", "214 ms"),
        # A share told in prose: total over a count of ranks.
        ("1.4 TB over 1,000 ranks is about 14 GB per rank.", "1.4 GB per rank"),
        ("1.12 TB sharded across 64 GPUs gives 35 GB per GPU.", "17.5 GB per GPU"),
        ("2 x 80 x 8 x 128 x 2 = 655 360 B per token.", "328,000 B"),
        ("It is 600 GB. Spread over 1,000 GPUs that's 6 GB per rank.", "0.6 GB per rank"),
        ("It is 400 GB. Split across 1,000 GPUs, each rank writes a 40 GB shard.", "0.4 GB"),
        # The rate first.
        ("Lustre sustains 50 GB/s aggregate, so a 1.4 TB save takes about 2.8 s.", "28 s"),
        ("At 50 GB/s, a 1.4 TB checkpoint takes about 3 s.", "28 s"),
        (
            "It moves 12.5 GB, and at 50 GB/s that comes to roughly 25 ms per step.",
            "250 ms per step",
        ),
        (
            "A file system that sustains, say, 100 GB/s aggregate, the whole 1.4 TB lands in about "
            "1.4 seconds.",
            "14 seconds",
        ),
        # An aggregate rate moves the whole size: nothing is split.
        ("A synchronous write of 1.4 TB at 50 GB/s aggregate takes ≈28 ms.", "28,000 ms"),
        # In words.
        ("435 GB divided by 1.34 GB per sequence is about 32 sequences.", "325"),
        ("2 times 80 times 8 times 128 times 2 comes to 655,360 bytes.", "328,000 bytes"),
        ("400 Gb/s divided by 8 is 40 GB/s.", "50 GB/s"),
        # A percentage.
        ("The bubble is 1/8 = 25% of the step.", "12.5 %"),
    ],
)
def test_a_result_that_does_not_follow_is_a_slip(text: str, expected: str) -> None:
    [slip] = slips(text)
    assert slip.expected == expected


@pytest.mark.parametrize(
    "text",
    [
        "2 x 80 x 8 x 128 x 2 = 327,680 B ≈ 320 KiB ≈ 0.33 MB per token.",
        "1.4 TB over 1,000 ranks is about 1.4 GB per rank.",
        "200 GB over 1k GPUs is 200 MB per GPU.",
        # Not a plain division: the stage decides what is sharded.
        "1.12 TB across 64 GPUs with ZeRO-2 is about 155 GB per GPU.",
        "The checkpoint is 600 GB. Over 1,000 GPUs we also keep 2 GB per rank of logs.",
        "The checkpoint is 400 GB. Across 1,000 GPUs we keep 2 GB shards of logs.",
        "At 50 GB/s, a 1.4 TB checkpoint takes about 28 s.",
        "NVLink gives 900 GB/s, and a 1.4 TB checkpoint takes 28 s to write.",  # unrelated rate
        "At 400 Gb/s per NIC, 1.34 GB over 8 NICs takes 3.4 ms.",
        # A rate and a time, not one quantity: the size it moves came before "at".
        "A decode step reads 141 GB of weights at 8 x 3.35 TB/s ≈ 5.3 ms.",
        "2 × 80 × 8 × 128 × 2 bytes = 327 680 bytes ≈ 320 KB per token.",  # grouped by spaces
        "327,680 x 4,096 ≈ 1.34 GB, or 1.25 GiB.",
        "141 GB / (8 x 3.35 TB/s) = 5.3 ms.",
        "989 TFLOPS / 3.35 TB/s ≈ 295 FLOP/byte.",
        "100B x 2 B = 200 GB; 16 x 70B = 1.12 TB.",
        "1.4 TB / 1,000 ≈ 1 GB per rank.",  # rounded to one significant digit
        "8 x 400 Gb/s = 3.2 Tb/s = 400 GB/s.",
        "TP=8 x PP=4 = 32 GPUs; the ratio is 2:1; NVLink is 9x faster.",
        "1.34 GB over 8 NICs at 400 Gb/s each takes 3.4 ms.",  # split across NICs
        "1.4 TB at 50 GB/s takes about 28 s.",
        "The KV is 10.7 GB for a 4K prompt. Over a 400 Gb/s NIC that moves in 214 ms.",
        "B_NIC = 400 Gb/s ÷ 8 = 50 GB/s per GPU; 3.2 Tb/s / 8 = 400 GB/s per node.",
        "T = √(2 x 30 s x 183,600 s) ≈ 3,300 s, about 55 min; √(2·C·MTBF) in general.",
        "The KV is 1.34 GB. The NIC runs at 400 Gb/s, and a decode step takes 30 ms.",
        "At N=64, 280 + 840/64 = 293 GB; 2 psi + 14 psi/N = 140 + 980/64 = 155 GB.",  # sums
        "435 GB divided by 1.34 GB per sequence is about 320 sequences.",
        "2 times 80 times 8 times 128 times 2 is 327,680 bytes.",
        "8 x 80 GB is 640 GB of HBM, and the 2 x 80 layers is the depth.",
        "The bubble is 1/8 = 12.5% of the step; 0.125 x 100 = 12.5 %.",
        # The tail of a product the parser could not read whole ("40 L" is 40 layers).
        "OPT-13B: 2 x 40 L x 5120 x 2 B = 800 KB/tok; 4 x 70 + 12 x 70 / 64 = 280 + 13.1 ≈ 293 GB.",
    ],
)
def test_right_or_unjudgeable_arithmetic_is_not_a_slip(text: str) -> None:
    assert slips(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Powers written in superscript are powers, not digits run together ("10⁹" is not 109).
        ("KV(4K) = 327,680 × 4,096 = 1.342 × 10⁹ B ≈ 1.34 GB", []),
        ("A third tier would reach 64³/4 = 65,536 ports.", []),
        ("T = √(1.10 × 10⁷) ≈ 3,320 s", []),
        ("327,680 × 4,096 = 1.342 × 10⁹ B ≈ 13.4 GB", ["1.34 GB"]),
        # A bare result of figures with units may be worked in the units as written.
        ("λ = 419 / (54 × 24 h × 16,384) ≈ 1.97 × 10⁻⁵ per GPU-hour", []),
        ("435 GB / 1.34 GB ≈ 32 sequences", ["325"]),
        # Bare numbers with a result in units, one prefix apart: 8 x 400 (Gb/s) = 3.2 Tb/s.
        ("one NIC per GPU, so 8 x 400 = 3.2 Tb/s per node", []),
        ("one NIC per GPU, so 8 x 400 = 4.8 Tb/s per node", ["3.2 Tb/s"]),
    ],
)
def test_superscript_powers_and_bare_results(text: str, expected: list[str]) -> None:
    assert [s.expected for s in slips(normalize(text).cased)] == expected


def test_a_slip_is_reported_once_with_its_correction(rubrics: dict[str, Rubric]) -> None:
    answer = (
        "The KV cache stores keys and values for every past token per layer. Llama-3-70B uses "
        "GQA with 8 KV heads: 2 x 80 x 8 x 128 x 2 = 327,680 bytes per token, and a 4K context "
        "is 327,680 x 4,096 ≈ 2.68 GB per sequence. PagedAttention keeps it in blocks."
    )
    result = grade(answer, rubrics["kv-cache"])
    [slip] = [m for m in result.misconceptions if m.id == MISCONCEPTION_ID]
    assert slip.penalty > 0
    assert "1.34 GB, not 2.68 GB" in slip.correction
    assert [e.text for e in slip.evidence] == ["327,680 x 4,096 ≈ 2.68 GB per sequence"]


def test_a_slip_a_rubric_misconception_reports_is_not_counted_twice(
    rubrics: dict[str, Rubric],
) -> None:
    answer = (
        "Prefill is compute-bound and decode is memory-bound, so we split them into pools. The "
        "KV for a 4K prompt is 8 GB, and over a 400 Gb/s NIC that takes about 20 ms."
    )
    result = grade(answer, rubrics["pd-disaggregation"])
    ids = [m.id for m in result.misconceptions]
    assert "transfer-8x-slip" in ids
    assert MISCONCEPTION_ID not in ids
