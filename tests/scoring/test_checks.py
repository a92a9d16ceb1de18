"""Each check kind, table-driven: what earns a criterion and what does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from coach.config import Settings
from coach.scoring import concepts, grade, load_rubrics
from coach.scoring.rubric import Rubric

MakeRubric = Callable[..., Rubric]

LONG_TAIL = " This sentence only pads the answer so that it is not flagged as too short."


def met(make_rubric: MakeRubric, check: dict[str, Any], answer: str, **kw: Any) -> bool:
    result = grade(answer + LONG_TAIL, make_rubric(check, **kw))
    return result.criteria[0].met


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Inside the node we use NVLink.", True),
        ("Inside the node we use NVLINK.", True),
        ("Inside the node we use nv-link.", True),
        ("Inside the node we use NV Link.", True),
        ("Between nodes we use Infinibnd.", False),  # a typo of another concept
        ("The NVLinks inside the node are fast.", True),  # plural
        ("We use NVLinkage.", False),  # word-bounded
        ("Inside the node we use NVLіnk with a Cyrillic i.", True),  # homoglyph
        ("Inside the node we use NV\u200bLink.", True),  # zero-width space
        ("We use PCIe.", False),
    ],
)
def test_concept_matches_case_hyphen_space_plural_homoglyph(
    make_rubric: MakeRubric, answer: str, expected: bool
) -> None:
    assert met(make_rubric, {"type": "concept", "concept": "nvlink"}, answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Between nodes we use Infinibnd.", True),  # deletion
        ("Between nodes we use Infiniband.", True),
        ("Between nodes we use Infinibadn.", True),  # transposition
        ("Between nodes we use Infinibrand.", True),  # insertion
        ("Between nodes we use Infinityband.", False),  # two edits
    ],
)
def test_concept_tolerates_one_typo_in_long_words(
    make_rubric: MakeRubric, answer: str, expected: bool
) -> None:
    assert met(make_rubric, {"type": "concept", "concept": "infiniband"}, answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Sharded over 8 × 400 Gb/s NICs.", True),
        ("Over one NIC that's 8 / 400 = 20 ms.", False),  # a division, not eight NICs
        ("8 GB / 400 Gb/s is 160 ms; 8 = 8.", False),
    ],
)
def test_numbers_joined_by_another_operator_are_not_a_terms_words(
    make_rubric: MakeRubric, answer: str, expected: bool
) -> None:
    assert met(make_rubric, {"type": "concept", "concept": ["8 × 400"]}, answer) is expected


def test_concept_inline_terms_match_multiword_and_joined_forms(make_rubric: MakeRubric) -> None:
    check = {"type": "concept", "concept": ["fat tree"]}
    assert met(make_rubric, check, "A fat-tree topology.")
    assert met(make_rubric, check, "A fattree topology.")
    assert not met(make_rubric, check, "A fat, tall tree.")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("You want RDMA between prefill and decode nodes.", True),
        ("Size the prefill/decode pools separately.", True),
        ("Then we size the prefill/decode pools", True),
        ("Between prefill and the nodes.", False),
        ("A router picks the prefill or decode node.", True),
        ("The prefill stage and decode nodes are separate.", False),  # "stage" is not shared
        ("Prefill and decoding happen on different nodes.", False),
    ],
)
def test_a_word_coordinated_with_a_terms_first_word_shares_its_head(
    make_rubric: MakeRubric, answer: str, expected: bool
) -> None:
    check = {"type": "concept", "concept": ["prefill node", "prefill pool"]}
    assert met(make_rubric, check, answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Use atomic rename for checkpoints.", True),
        ("You don't need atomic rename.", False),
        ("I wouldn't bother with an atomic rename step.", False),
        ("There is no need for atomic rename here.", False),
        ("Atomic rename is overkill.", False),
        ("Atomic rename is overrated in practice.", False),
        ("Atomic rename is a fad.", False),
        ("Nobody really needs atomic rename.", False),
        ("No torn files vs atomic rename with a manifest.", True),  # scope ends at "vs"
        ("Atomic rename is not needed on Lustre.", False),
        ("Not only atomic rename but also checksums.", True),
        ("Without checksums it fails, so use atomic rename.", True),  # scope ends at "so"
        ("Don't skip it: use atomic rename.", True),  # scope ends at the colon
        ("Writes are not atomic, but atomic rename fixes that.", True),  # scope ends at "but"
        ("Atomic rename is overblown.", False),
        # A clause that passes judgement on its subject or object, or on the list it refers to.
        ("Atomic rename is a nice-to-have at best.", False),
        ("People overthink atomic rename.", False),
        ("Atomic rename is another step I'd skip.", False),
        ("Atomic rename rarely matters in practice.", False),
        ("Torn files, checksums, atomic rename: people overthink it.", False),
        ("Checksums and atomic rename guard the commit. They are optional here.", False),
        ("Atomic rename (a temp dir, then one rename) is overkill here.", False),
        ("Atomic rename is not optional.", True),
        ("There is no real reason to use atomic rename.", False),
        ("Manifests, atomic rename, checksums: none of that is needed.", False),
        ("It is not true that atomic rename works on S3.", False),
        ("Atomic rename on every rank does not scale past a few hundred nodes.", False),
        ("Atomic rename guards the files, which none of this hardware failure touches.", True),
        ("The atomic rename ritual is cargo cult from the days of NFS.", False),
        ("Atomic rename is premature optimisation.", False),
        ("Atomic rename and sharded saves are over-engineering.", False),
        ("Skipping the manifest and relying on atomic rename on S3 is a mistake.", False),
        ("Atomic rename is another thing nobody actually does.", False),
        ("Manifests and atomic rename are the storage team's problem; you can ignore them.", False),
        ("Evict with LRU over blocks nobody references, and keep atomic rename.", True),
        # A sentence that opens by rejecting "that" rejects the one before.
        (
            "The textbook answer is atomic rename and checksums. I'd push back on most of that.",
            False,
        ),
        ("Use atomic rename. I'd push back on the manifest idea, though.", True),
        ("Use atomic rename. I disagree with people who skip it.", True),
        # A claim taken back neither earns nor costs anything.
        ("I was going to say atomic rename is optional, but no, it is essential.", False),
        ("Atomic rename, I first thought, was optional, but no: use it.", True),
        ("The usual story is that atomic rename matters, but I don't think it matters.", False),
        ("The reason to use atomic rename is torn files.", True),
        ("With atomic rename, a manifest is unnecessary.", True),
        ("Atomic rename lets you skip the manifest.", True),
        # A claim reported only to be rejected, however many clauses it has.
        ("The idea that torn files matter and atomic rename helps is overstated.", False),
        ("The claim that atomic rename is safe on S3 isn't true.", False),
        ("It is a myth that object stores give you atomic rename.", False),
        ("The claim that checksums suffice is wrong, so use atomic rename.", True),
        ("The idea behind atomic rename is that readers never see a torn file.", True),
        ("The idea that atomic rename is cheap explains why a wrong path hurts.", True),
        ("Nothing but atomic rename makes the commit safe.", True),
        # An enumerated subject is judged whole, and so is a list that "that's" sums up.
        ("Atomic rename, checksums and manifests are academic.", False),
        ("Manifests, checksums, atomic rename: that's overkill.", False),
        ("Atomic rename, checksums and manifests are essential.", True),
        ("Atomic rename is a micro-optimisation.", False),
        ("Atomic rename looks great on paper, but torn files are rare.", False),
        ("Nothing needs atomic rename here.", False),
        # Dismissals said of a pronoun, of the question before, or of a fronted object.
        ("Atomic rename is clever, but in my experience it's overrated.", False),
        ("Atomic rename? We never bothered.", False),
        ("Atomic rename? I'd skip that.", False),
        ("Atomic rename I'd skip too.", False),
        ("Atomic rename sounds great in a slide deck.", False),
        ("Atomic rename feels like vendor upselling.", False),
        ("Atomic rename is a lot of effort for what it buys you.", False),
        ("When not to bother: tiny runs. Use atomic rename for checkpoints.", True),
        ("Use atomic rename for checkpoints. Gradients can be skipped.", True),
        # A sentence that is only a verdict judges the one before it.
        ("Atomic rename for every commit? Overkill.", False),
        ("Atomic rename for the commit. Not worth the complexity in my view.", False),
        ("Atomic rename for the commit. Optional tiering to object storage.", True),
        ("Atomic rename looks great on a spec sheet, but torn files never happen.", False),
        ("Atomic rename is a whiteboard idea.", False),
        # A table cell is its own clause; the cell after a term may pass judgement on it.
        ("| Commit | Cost |\n|---|---|\n| atomic rename | Not needed |", False),
        ("| Commit | Cost |\n|---|---|\n| atomic rename | overkill |", False),
        ("| Step | Shards | Tool |\n|---|---|---|\n| commit | nothing | atomic rename |", True),
    ],
)
def test_concept_in_negated_or_dismissive_clause_does_not_count(
    make_rubric: MakeRubric, answer: str, expected: bool
) -> None:
    assert met(make_rubric, {"type": "concept", "concept": "atomic-rename"}, answer) is expected


def test_concept_negated_mention_is_explained(make_rubric: MakeRubric) -> None:
    rubric = make_rubric({"type": "concept", "concept": "atomic-rename"})
    result = grade("You don't need atomic rename." + LONG_TAIL, rubric)
    assert "negated" in result.criteria[0].note


def test_concept_negatable_false_counts_negated_mentions(make_rubric: MakeRubric) -> None:
    check = {"type": "concept", "concept": "atomic-rename", "negatable": False}
    assert met(make_rubric, check, "You don't need atomic rename.")


@pytest.mark.parametrize(
    ("check", "answer", "expected"),
    [
        ({"unit": "GB/s", "value": 900}, "NVLink gives 900 GB/s.", True),
        ({"unit": "GB/s", "value": 900}, "NVLink gives 0.9 TB/s.", True),
        ({"unit": "GB/s", "value": 900}, "NVLink gives 900 Gb/s.", False),
        ({"unit": "Gb/s", "value": 400}, "NDR is 50 GB/s per port.", True),
        ({"unit": "Gb/s", "value": 400, "written_as": "bits"}, "NDR: 50 GB/s.", False),
        ({"unit": "Gb/s", "value": 400, "written_as": "bits"}, "NDR: 400G ports.", True),
        ({"unit": "GB", "value": 1.34}, "A 4K context takes 1.25 GiB.", True),
        ({"unit": "GB", "value": 1.34}, "A 4K context takes 1.25 GB.", False),
        ({"unit": "GB", "min": 1.2, "max": 1.6}, "About 1.3-1.4 GB each.", True),
        ({"unit": "ms", "value": 160}, "It takes 0.16 s.", True),
        ({"unit": "MB/token", "value": 0.33}, "About 320 KiB per token.", True),
        ({"unit": "MB/token", "value": 0.33}, "About 320 KiB in total.", False),
        ({"unit": "GB/s", "value": 900}, "NVLink is 900 GB/s, not 900 Gb/s.", True),
    ],
)
def test_quantity_converts_units_and_compares_with_tolerance(
    make_rubric: MakeRubric, check: dict[str, Any], answer: str, expected: bool
) -> None:
    assert met(make_rubric, {"type": "quantity", **check}, answer) is expected


def test_quantity_negated_figure_does_not_count(make_rubric: MakeRubric) -> None:
    check = {"type": "quantity", "unit": "Gb/s", "value": 900, "written_as": "bits"}
    assert not met(make_rubric, check, "NVLink is 900 GB/s, not 900 Gb/s.")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("NVLink runs at 900 GB/s per GPU.", True),
        ("PCIe runs at 900 GB/s. NVLink is different.", False),  # other sentence
        ("The PCIe link at 900 GB/s is one thing and much later we mention NVLink.", False),
    ],
)
def test_quantity_near_requires_the_concept_close_by(
    make_rubric: MakeRubric, answer: str, expected: bool
) -> None:
    check = {"type": "quantity", "unit": "GB/s", "value": 900, "near": "nvlink", "within": 6}
    assert met(make_rubric, check, answer) is expected


def test_a_spoken_figure_names_its_own_context(make_rubric: MakeRubric) -> None:
    # "four hundred gigabytes a second per port": "port" is seven words from "four", but inside
    # the figure.
    check = {"type": "quantity", "unit": "GB/s", "value": 400, "near": ["port"], "within": 4}
    assert met(make_rubric, check, "Um, it's four hundred gigabytes a second per port.")
    assert not met(make_rubric, check, "It's 400 GB/s for the node, and much later a port.")


def test_quantity_unless_near_ignores_the_excluded_context(make_rubric: MakeRubric) -> None:
    check = {"type": "quantity", "unit": "GB/s", "value": 400, "unless_near": "node"}
    assert met(make_rubric, check, "NDR gives 400 GB/s per port.")
    assert not met(make_rubric, check, "Each node gets 400 GB/s.")


@pytest.mark.parametrize(
    ("check", "answer", "expected"),
    [
        ({"within": 5}, "NVLink connects GPUs inside each node.", True),
        ({"within": 2}, "NVLink connects the eight GPUs inside each node.", False),
        ({"within": 20}, "NVLink is fast. Each node has eight GPUs.", False),
        ({"within": 20, "same_sentence": False}, "NVLink is fast. Each node has GPUs.", True),
        ({"within": 5}, "We don't use NVLink inside each node.", False),
    ],
)
def test_near_needs_both_concepts_within_the_window(
    make_rubric: MakeRubric, check: dict[str, Any], answer: str, expected: bool
) -> None:
    full = {"type": "near", "a": "nvlink", "b": "node", **check}
    assert met(make_rubric, full, answer) is expected


@pytest.mark.parametrize(
    ("kind", "answer", "expected"),
    [
        ("all", "NVLink and InfiniBand.", True),
        ("all", "NVLink only.", False),
        ("any", "InfiniBand only.", True),
        ("any", "PCIe only.", False),
        ("at_least_2", "NVLink, InfiniBand.", True),
        ("at_least_2", "GPUDirect only.", False),
    ],
)
def test_combinators(make_rubric: MakeRubric, kind: str, answer: str, expected: bool) -> None:
    children = [
        {"type": "concept", "concept": "nvlink"},
        {"type": "concept", "concept": "infiniband"},
        {"type": "concept", "concept": "gpudirect"},
    ]
    if kind == "all":
        check: dict[str, Any] = {"type": "all", "checks": children[:2]}
    elif kind == "any":
        check = {"type": "any", "checks": children[:2]}
    else:
        check = {"type": "at_least", "n": 2, "checks": children}
    assert met(make_rubric, check, answer) is expected


@pytest.mark.parametrize(
    ("pattern", "case_sensitive", "answer", "expected"),
    [
        (r"\batomic\s+rename\b", False, "Use an ATOMIC rename.", True),
        (r"\b\d+\s*GB/s", True, "It is 900 Gb/s.", False),
        (r"\b\d+\s*GB/s", True, "It is 900 GB/s.", True),
    ],
)
def test_regex_matches_folded_or_cased_text(
    make_rubric: MakeRubric, pattern: str, case_sensitive: bool, answer: str, expected: bool
) -> None:
    check = {"type": "regex", "pattern": pattern, "case_sensitive": case_sensitive}
    assert met(make_rubric, check, answer) is expected


def test_criterion_unless_overrides_a_match(make_rubric: MakeRubric) -> None:
    rubric = make_rubric(
        {"type": "quantity", "unit": "MB/token", "value": 2.5, "tolerance": 0.1},
        unless={"type": "concept", "concept": ["gqa"]},
    )
    assert grade("KV is 2.5 MB per token." + LONG_TAIL, rubric).criteria[0].met
    assert not grade("KV is 2.5 MB per token with GQA." + LONG_TAIL, rubric).criteria[0].met


def test_regex_that_times_out_on_this_answer_is_unscored_not_failed(
    make_rubric: MakeRubric,
) -> None:
    # Passes the load-time probe (which uses other letters) but backtracks on this answer.
    rubric = make_rubric({"type": "regex", "pattern": r"(b|bb)+$"})
    result = grade("NVLink " + "b" * 40 + "!", rubric)
    criterion = result.criteria[0]
    assert criterion.status == "unscored"
    assert "Could not be checked" in criterion.note
    assert result.max_points == 0  # unscored points leave the denominator


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Paging means memory isn't wasted on a checkpoint buffer.", True),
        ("That buffer is not a checkpoint.", False),
        ("It isn't a checkpoint, it is a snapshot.", False),
        ("We do not write a checkpoint every step.", False),
        ("No checkpoint is kept.", False),
    ],
)
def test_negation_reach_depends_on_the_cue(
    make_rubric: MakeRubric, answer: str, expected: bool
) -> None:
    assert met(make_rubric, {"type": "concept", "concept": "checkpoint"}, answer) is expected


# Composite checks run their cheapest children first and stop early; none of that may change
# what the candidate sees: the verdict, the credit, or why a criterion was missed.

KEYWORDS = (
    "The design keeps tensor parallel traffic on the fast links and explains why it does so "
    "in plain words.\n\nKeywords: NVLink, InfiniBand, fat tree"
)


def test_any_keeps_looking_for_explained_evidence_after_a_listed_match(
    make_rubric: MakeRubric,
) -> None:
    check = {
        "type": "any",
        "checks": [
            {"type": "regex", "pattern": r"fast links"},
            {"type": "concept", "concept": "nvlink"},  # cheaper, runs first, only listed
        ],
    }
    result = grade(KEYWORDS, make_rubric(check)).criteria[0]
    assert result.met
    assert result.points == result.max_points
    assert {e.text for e in result.evidence} >= {"fast links"}


def test_any_met_only_in_a_keyword_list_still_earns_half(make_rubric: MakeRubric) -> None:
    check = {
        "type": "any",
        "checks": [
            {"type": "regex", "pattern": r"fat tree"},
            {"type": "concept", "concept": "nvlink"},
        ],
    }
    result = grade(KEYWORDS, make_rubric(check)).criteria[0]
    assert result.met
    assert result.points == result.max_points / 2
    assert {e.text for e in result.evidence} == {"NVLink", "fat tree"}


def test_all_reports_a_negated_part_even_when_an_earlier_part_is_missing(
    make_rubric: MakeRubric,
) -> None:
    check = {
        "type": "all",
        "checks": [
            {"type": "regex", "pattern": r"rail[- ]optimi[sz]ed"},
            {"type": "concept", "concept": "gpudirect"},
        ],
    }
    answer = "Between nodes we use InfiniBand; we do not need GPUDirect for this design."
    result = grade(answer + LONG_TAIL, make_rubric(check)).criteria[0]
    assert not result.met
    assert "negated" in result.note


def test_misconception_with_several_matching_branches_costs_its_penalty_once(
    make_rubric: MakeRubric,
) -> None:
    misconception = {
        "id": "bits",
        "description": "NVLink in bits",
        "penalty": 10,
        "correction": "NVLink is 900 GB/s, bytes.",
        "check": {
            "type": "any",
            "checks": [
                {"type": "regex", "pattern": r"900 ?gb/s"},
                {"type": "concept", "concept": "nvlink"},
            ],
        },
    }
    rubric = make_rubric({"type": "concept", "concept": "nvlink"}, misconceptions=[misconception])
    result = grade("NVLink runs at 900 Gb/s inside the node." + LONG_TAIL, rubric)
    assert [m.id for m in result.misconceptions] == ["bits"]
    assert result.misconceptions[0].evidence
    assert result.penalty_points == 10


@pytest.mark.parametrize(
    ("answer", "charged"),
    [
        ('The deck says "TP goes across nodes over IB".', []),
        ('The deck says "TP goes across nodes over IB". Still, TP goes across nodes here.', ["tp"]),
    ],
)
def test_a_pattern_the_criteria_ran_is_judged_again_without_reported_claims(
    make_rubric: MakeRubric, answer: str, charged: list[str]
) -> None:
    # The misconception reuses the criterion's matches, minus those inside the quotation.
    pattern = {"type": "regex", "pattern": r"\btp goes across nodes\b"}
    misconception = {"id": "tp", "description": "d", "penalty": 5, "correction": "c",
                     "check": pattern}  # fmt: skip
    result = grade(answer + LONG_TAIL, make_rubric(pattern, misconceptions=[misconception]))
    assert result.criteria[0].met
    assert [m.id for m in result.misconceptions] == charged
    if charged:
        [evidence] = result.misconceptions[0].evidence
        assert evidence.start > answer.index("Still")


def test_words_remembered_from_earlier_answers_do_not_change_a_grade(
    rubrics: dict[str, Rubric],
) -> None:
    """The index remembers how it resolved each answer word (a pure function of the word);
    a grade must be the same whether the index is fresh or has seen other answers."""
    rubric = rubrics["kv-cache"]
    answers = [e.answer for e in rubric.examples]
    before = [grade(a, rubric).model_dump() for a in reversed(answers)]
    fresh = load_rubrics(Settings().rubrics_dir)["kv-cache"]
    after = [grade(a, fresh).model_dump() for a in reversed(answers)]
    assert before == after
    assert fresh._compiled.resolved  # it did remember words


def test_remembered_words_are_bounded(
    make_rubric: MakeRubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(concepts, "RESOLVED_MAX", 20)
    rubric = make_rubric({"type": "concept", "concept": "infiniband"})
    for i in range(10):
        answer = " ".join(f"word{i}x{j}" for j in range(15)) + " over Infinibnd."
        assert grade(answer + LONG_TAIL, rubric).criteria[0].met
        assert len(rubric._compiled.resolved) <= 20 + 40


@pytest.mark.parametrize(
    ("terms", "answer", "expected"),
    [
        (["earlier tokens"], "It keeps the keys of every earlier token in memory.", True),
        (["earlier token"], "It keeps the keys of all earlier tokens in memory.", True),
        (["nv link"], "Inside the node we use NVLink.", True),  # a compound, written as one
        (["o(n)"], "It depends on the length of the prompt.", False),  # "on" is not "o(n)"
        (["o(n)"], "Memory grows as O(n) in the prompt length.", True),
        (["2.5 mb"], "We stored 25mb of logs.", False),
    ],
)
def test_inline_terms_match_singular_plural_and_real_compounds_only(
    make_rubric: MakeRubric, terms: list[str], answer: str, expected: bool
) -> None:
    assert met(make_rubric, {"type": "concept", "concept": terms}, answer) is expected


PHASES = {
    "type": "near",
    "a": ["prefill"],
    "b": ["compute-bound"],
    "rival": ["decode"],
    "within": 25,
}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Prefill is compute-bound and decode is memory-bound.", True),
        ("Prefill is memory-bound and decode is compute-bound.", False),  # swapped
        (
            "Prefill runs the whole prompt through big matrix multiplies, so it is compute-bound.",
            True,
        ),
        ("Decode is memory-bound, unlike prefill, which is compute-bound.", True),
        ("Unlike prefill, decode is compute-bound.", False),
        ("A compute-bound prefill and a memory-bound decode.", True),
        ("A memory-bound prefill and a compute-bound decode.", False),
        ("Prefill reads the whole prompt and is compute-bound, decode is not.", True),
        ("Prefill handles the whole prompt at once. It is compute-bound.", True),
        ("Decode makes one token per step. It is compute-bound.", False),
        # In a table a cell is said of its column's header.
        ("| | Prefill | Decode |\n|---|---|---|\n| Bound by | compute-bound | HBM |", True),
        ("| | Decode | Prefill |\n|---|---|---|\n| Bound by | compute-bound | HBM |", False),
        ("| Phase | Bound |\n|---|---|\n| Prefill | compute-bound |\n| Decode | HBM |", True),
        ("| Phase | Bound |\n|---|---|\n| Decode | compute-bound |\n| Prefill | HBM |", False),
        # A heading is said of what the next sentence names; a bullet is not a heading.
        ("1) Compute-bound phase. Prefill runs the prompt in one pass.", True),
        ("1) Compute-bound phase.\nDecode makes one token per step.", False),
        ("- compute-bound vs memory-bound\n- Decode makes one token per step.", False),
    ],
)
def test_near_with_a_rival_credits_what_the_term_is_said_of(
    make_rubric: MakeRubric, answer: str, expected: bool
) -> None:
    assert met(make_rubric, PHASES, answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Decode is compute-bound.", True),
        ("Batches must reach the hundreds before decode becomes compute-bound.", False),
        ("Decode only becomes compute-bound once batches reach the hundreds.", False),
        ("Decode would need batches of 200-300 to turn compute-bound.", False),
        ("Decode needs batches in the hundreds before it's compute-bound.", False),
        ("Decode needs B in the 100s to be compute-bound.", False),
        ("Decode is compute-bound when batched.", True),
    ],
)
def test_near_with_a_rival_ignores_a_state_reached_only_under_a_condition(
    make_rubric: MakeRubric, answer: str, expected: bool
) -> None:
    check = {"type": "near", "a": ["decode"], "b": ["compute-bound"], "rival": ["prefill"],
             "within": 25}  # fmt: skip
    assert met(make_rubric, check, answer) is expected


def test_real_words_are_not_read_as_typos_of_a_term(make_rubric: MakeRubric) -> None:
    check = {"type": "concept", "concept": ["connectx"]}
    assert met(make_rubric, check, "We connect the GPUs with copper.") is False
    assert met(make_rubric, check, "Each GPU has a ConectX-7 NIC.") is True
    # "spikes" is a word of its own, not "spines" misspelt
    spines = {"type": "concept", "concept": ["spines", "leaf-spine"]}
    assert met(make_rubric, spines, "TTFT spikes when prompts burst.") is False
    assert met(make_rubric, spines, "32 leaves and 16 spines.") is True


def test_a_figure_in_a_table_is_near_its_column_head(make_rubric: MakeRubric) -> None:
    check = {"type": "quantity", "unit": "KB", "min": 300, "max": 350, "near": ["token"],
             "within": 3}  # fmt: skip
    table = "| Model | bytes/token |\n|---|---|\n| Llama-3-70B (80 L, 8 KV heads) | 320 KiB |"
    assert met(make_rubric, check, table)
    assert not met(make_rubric, check, "| Model | size |\n|---|---|\n| Llama-3-70B | 320 KiB |")
