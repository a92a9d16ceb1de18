"""The shipped rubrics: the five question ids, valid files, every example in its band."""

from __future__ import annotations

import pytest

from coach.config import Settings
from coach.scoring import Rubric, grade, load_rubrics
from coach.scoring.examples import run_examples
from coach.scoring.rubric import SHARED_DIMENSIONS

QUESTION_IDS = {
    "gpu-cluster-networking",
    "distributed-training-sharding",
    "checkpointing",
    "kv-cache",
    "pd-disaggregation",
}
STYLES = {
    "excellent": (80, 100),
    "components-only": (0, 50),
    "keyword-salad": (0, 40),
    "negated": (0, 30),
    "off-topic": (0, 20),
    "injection": (0, 25),
}
RUBRICS = load_rubrics(Settings().rubrics_dir)


def test_all_five_questions_ship_a_rubric() -> None:
    assert set(RUBRICS) == QUESTION_IDS


@pytest.mark.parametrize("rubric", RUBRICS.values(), ids=list(RUBRICS))
def test_rubric_examples_are_in_their_bands(rubric: Rubric) -> None:
    report = run_examples(rubric)
    assert report.failures == 0, "\n".join(report.lines())


@pytest.mark.parametrize("rubric", RUBRICS.values(), ids=list(RUBRICS))
def test_rubric_ships_every_example_style_with_the_required_band(rubric: Rubric) -> None:
    examples = {e.id: e for e in rubric.examples}
    assert len(examples) >= 9
    for style, (low, high) in STYLES.items():
        assert style in examples, f"missing example {style!r}"
        assert examples[style].min_score >= low and examples[style].max_score <= high
    for required in ("excellent-other-words", "partial", "wrong-figures"):
        assert required in examples


@pytest.mark.parametrize("rubric", RUBRICS.values(), ids=list(RUBRICS))
def test_wrong_figures_score_at_least_20_below_excellent(rubric: Rubric) -> None:
    report = {r.example.id: r for r in run_examples(rubric).results}
    wrong = report["wrong-figures"]
    assert wrong.grade.score <= report["excellent"].grade.score - 20
    assert wrong.grade.misconceptions, "each wrong figure must be reported"
    assert set(wrong.example.expect_misconceptions) <= {m.id for m in wrong.grade.misconceptions}


@pytest.mark.parametrize("rubric", RUBRICS.values(), ids=list(RUBRICS))
def test_rubric_uses_the_seed_habits(rubric: Rubric) -> None:
    dims = set(rubric.dimension_ids())
    assert len(dims & set(SHARED_DIMENSIONS)) >= 3
    assert all(c.feedback_missed != c.feedback_met for c in rubric.criteria)


ON_TOPIC_STYLES = ("excellent", "excellent-other-words", "partial", "components-only")


@pytest.mark.parametrize("rubric", RUBRICS.values(), ids=list(RUBRICS))
def test_answers_to_the_other_questions_score_near_zero_here(rubric: Rubric) -> None:
    for other in RUBRICS.values():
        if other.id == rubric.id:
            continue
        for example in other.examples:
            if example.id not in ON_TOPIC_STYLES:
                continue
            result = grade(example.answer, rubric)
            assert result.score <= 20, f"{other.id}:{example.id} scored {result.score}"


@pytest.mark.parametrize(
    ("question", "misconception", "wrong", "right"),
    [
        ("gpu-cluster-networking", "sharp-on-nics",
         "The reduction math happens on the ConnectX-7 cards as data streams through.",
         "SHARP does the reduction in the Quantum-2 switch ASICs, not on the ConnectX-7 NICs."),
        ("gpu-cluster-networking", "pfc-drops",
         "With PFC, when the queue fills the switch drops the overflow and go-back-N recovers.",
         "RoCE needs PFC + ECN tuned, or it drops packets under incast."),
        ("gpu-cluster-networking", "connectx6-ndr",
         "Each GPU gets a ConnectX-6 card at 400 Gb/s.",
         "ConnectX-6 is HDR 200 Gb/s; NDR 400G needs ConnectX-7."),
        ("distributed-training-sharding", "zero3-double-communication",
         "ZeRO-3 costs roughly double DDP's traffic per step.",
         "ZeRO-3 costs about 1.5x DDP's traffic, not double: ZeRO-1/2 match DDP."),
        ("distributed-training-sharding", "offload-update-on-gpu",
         "ZeRO-Offload keeps Adam states in CPU RAM; they are pulled back over PCIe so the GPU "
         "can run the Adam update.",
         "ZeRO-Offload keeps Adam states in CPU RAM and runs the Adam update on the CPU."),
        ("checkpointing", "dcp-tied-to-world-size",
         "DCP checkpoints are tied to the world size you saved them with.",
         "DCP reshards at load time, so restarts are not tied to the world size."),
        ("kv-cache", "radix-attributed-to-vllm",
         "vLLM's version of this is RadixAttention, a radix tree over prefixes.",
         "SGLang's RadixAttention keeps a radix tree; vLLM hashes blocks for prefix caching."),
        ("kv-cache", "kv-replicated-under-tp",
         "With TP=8 every GPU keeps a full copy of the KV cache.",
         "With TP=8 each GPU keeps one of the 8 KV heads, an eighth of the cache."),
        ("kv-cache", "h2o-is-streamingllm",
         "H2O keeps the first few tokens, the attention sinks, plus a recent window.",
         "StreamingLLM keeps attention sinks and a recent window; H2O keeps heavy hitters."),
        ("kv-cache", "h2o-baseline-vllm",
         "H2O showed up to 29x higher throughput than vLLM.",
         "H2O showed up to 29x throughput over DeepSpeed Zero-Inference, not vLLM."),
        ("gpu-cluster-networking", "llama3-fabrics-swapped",
         "Meta trained the 405B on their Quantum-2 InfiniBand cluster.",
         "Meta trained the 405B on RoCE and the smaller models on InfiniBand."),
        ("distributed-training-sharding", "pcie-gen5-per-direction",
         "PCIe Gen5 x16 is around 128 GB/s in each direction.",
         "PCIe Gen5 x16 is 64 GB/s in each direction, 128 GB/s both ways."),
        ("distributed-training-sharding", "infinity-is-zero2",
         "ZeRO-Infinity is essentially ZeRO-2 with NVMe offload.",
         "ZeRO-Offload builds on ZeRO-2; ZeRO-Infinity builds on ZeRO-3."),
        ("pd-disaggregation", "h100-hbm-2tbs",
         "On an H100 SXM you get about 2 TB/s of HBM, so decode is starved.",
         "An H100 SXM has 3.35 TB/s of HBM; the PCIe card has about 2 TB/s."),
        ("checkpointing", "restripe-in-place",
         "Just run lfs setstripe on the existing checkpoint files.",
         "lfs setstripe on existing files has no effect; copy them into a striped directory."),
    ],
)  # fmt: skip
def test_misconceptions_charge_the_wrong_claim_not_its_correction(
    question: str, misconception: str, wrong: str, right: str
) -> None:
    rubric = RUBRICS[question]
    assert misconception in {m.id for m in grade(wrong, rubric).misconceptions}
    assert misconception not in {m.id for m in grade(right, rubric).misconceptions}
