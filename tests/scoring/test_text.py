"""Normalisation keeps a map back to what the candidate typed."""

from __future__ import annotations

import pytest

from coach.scoring.text import normalize, reported_tokens, retracted_tokens


@pytest.mark.parametrize(
    ("original", "folded"),
    [
        ("NVLink", "nvlink"),
        ("c\u0430che", "cache"),  # Cyrillic а
        ("NV\u200bLink", "nvlink"),  # zero-width space
        ("in\u202eter-node", "inter-node"),  # bidi override
        ("all\u2013reduce", "all-reduce"),  # en dash
        ("\uff2e\uff36\uff2c\uff49\uff4e\uff4b", "nvlink"),  # full-width
        ("don\u2019t", "don't"),
        ("tag\U000e0041s", "tags"),  # tag character
    ],
)
def test_normalize_folds_what_hides_words(original: str, folded: str) -> None:
    assert normalize(original).folded == folded


def test_normalize_records_removed_invisible_characters() -> None:
    text = normalize("a\u200bb\u200dc")
    assert text.hidden == [1, 3]


def test_original_span_points_into_the_original_text() -> None:
    original = "Use NV\u200bLink at 900 GB/s"
    text = normalize(original)
    start = text.folded.index("nvlink")
    o_start, o_end = text.original_span(start, start + len("nvlink"))
    assert original[o_start:o_end] == "NV\u200bLink"


def test_sentences_split_on_punctuation_blank_lines_and_bullets_not_on_wraps() -> None:
    text = normalize("First sentence,\nwrapped here. Second one!\n\nThird\n- fourth\n- fifth")
    sentences = {tok.text: tok.sentence for tok in text.tokens}
    assert sentences["first"] == sentences["wrapped"] == 0
    assert sentences["second"] == 1
    assert sentences["third"] == 2
    assert sentences["fourth"] == 3
    assert sentences["fifth"] == 4


def test_decimal_points_do_not_end_sentences() -> None:
    text = normalize("HBM is 3.35 TB/s on H100.")
    assert len(text.sentence_spans) == 1


def test_abbreviations_do_not_end_sentences() -> None:
    text = normalize("Stage 3 costs 3 psi, i.e. 1.5x DDP, e.g. on 64 GPUs vs. 2 psi. Next one.")
    assert len(text.sentence_spans) == 2


def test_table_cells_know_their_column_header() -> None:
    text = normalize("Intro.\n\n| | Prefill | Decode |\n|:--|--:|---|\n| Work | GEMM | GEMV |")
    words = [tok.text for tok in text.tokens]
    head = text.column_heads[words.index("gemv")]
    assert [tok.text for tok in text.tokens[head[0] : head[1] + 1]] == ["decode"]
    assert words.index("work") not in text.column_heads  # the row label's header is empty


def test_a_multiplication_dot_is_not_a_bullet() -> None:
    text = normalize("Per token 2·80·8·128·2 = 327,680 bytes. NVLink · NVSwitch · IB")
    assert text.tokens[0].sentence == next(t for t in text.tokens if t.text == "327").sentence
    assert len(text.sentence_spans) == 4


@pytest.mark.parametrize(
    ("original", "cased"),
    [
        (r"$M = 2 \cdot 80 \cdot 8 = 327{,}680$ B", "M = 2 · 80 · 8 = 327,680 B"),
        (r"$S \approx 1.34\text{e}9\ \text{B}$", "S ≈ 1.34e9 B"),
        (r"$B = 18 \times 25\,\text{GB/s} = 450$ GB/s", "B = 18 × 25 GB/s = 450 GB/s"),
        (r"\frac{a}{b} stays as written", r"\frac{a}{b} stays as written"),
    ],
)
def test_latex_maths_reads_as_what_it_renders_to(original: str, cased: str) -> None:
    text = normalize(original)
    assert text.cased == cased
    last = len(text.cased) - 1  # evidence still points into what the candidate typed
    assert text.original[text.original_span(last, last + 1, cased=True)[0]] == cased[-1]


def test_quotations_and_named_pitfalls_are_reported_not_claimed() -> None:
    text = normalize(
        '"FSDP is model parallelism" is wrong. FSDP shards state.\n'
        "Failure modes:\n- TP over IB -> slow collectives\n- Torn files: write then rename\n"
        "Done."
    )
    reported = {text.tokens[i].text for i in reported_tokens(text)}
    assert reported == {"fsdp", "is", "model", "parallelism", "tp", "over", "ib", "torn", "files"}


def test_a_claim_described_as_a_mistake_is_reported_up_to_its_clause_end() -> None:
    text = normalize(
        'The usual mistake is calling it 18x, when it is 9x. People say "NDR is\n400 GB/s".'
    )
    reported = {text.tokens[i].text for i in reported_tokens(text)}
    assert reported == {"calling", "it", "18x", "ndr", "is", "400", "gb", "s"}


@pytest.mark.parametrize(
    ("answer", "reported"),
    [
        ("Q: Why not TP across nodes? A: Bandwidth.", {"q", "why", "not", "tp", "across", "nodes"}),
        ("A junior once insisted it was 2 MB per token; it is 320 KiB.",
         {"it", "was", "2", "mb", "per", "token"}),
        ("Hypothetical 1: we gather to rank 0. It would OOM.", {"we", "gather", "to", "rank", "0"}),
        ('The "18x" figure is wrong.', {"18x"}),
        # Counterfactuals.
        ("Had we fitted a single NIC per node, all eight GPUs would share it.",
         {"fitted", "a", "single", "nic", "per", "node"}),
        # "had we" counts only where it opens a sentence; the claim after it is still read.
        ("What we had we kept. Someone said NDR is 400 GB/s.", {"ndr", "is", "400", "gb", "s"}),
        ("Sizing done. Had you used TP=16, the links would choke.",
         {"used", "tp", "16", "the", "links"}),  # what "would choke" is the case of a warning
        ("If the transfer went through host memory, we'd add copies.",
         {"the", "transfer", "went", "through", "host", "memory"}),
        ('People say, "NDR is 400 GB/s", but {"ndr": "400 Gb/s"} is right.',
         {"ndr", "is", "400", "gb", "s"}),
        ('zero3: "17.5 GB per GPU"\nNote: "2.2 GB" is the parameter shard.', {"2", "gb"}),
        ("A slip I see a lot is writing NDR as 400 GB/s. It is 400 Gb/s.",
         {"ndr", "as", "400", "gb", "s"}),
        ("A common assumption is that the KV goes through host memory. It does not.",
         {"the", "kv", "goes", "through", "host", "memory"}),
        ("H2O is sometimes described as lossless; it is not.", {"lossless"}),
        ("Occasionally you hear it backwards, decode being compute-bound; it is not.",
         {"decode", "being", "compute", "bound"}),
        # The items of an announced list of mistakes, past the explanation between them.
        ("Two anti-patterns to rule out. One: gathering on rank 0. It OOMs. Two: saving per "
         "epoch.\n\nPlan: 1. Shard every rank.",
         {"one", "gathering", "on", "rank", "0", "two", "saving", "per", "epoch"}),
        ("I first wrote that NVLink is 18x the NIC; it is 9x.",
         {"nvlink", "is", "18x", "the", "nic"}),
        ("What can go wrong -> mitigation:\n1. Rank-0 gather -> OOM -> per-rank writes.",
         {"rank", "0", "gather"}),
        ("| What goes wrong | Naive design | Fix |\n|---|---|---|\n| OOM | One file | Shards |",
         {"oom", "one", "file"}),
        # A warning whose case is a gerund; a gerund with a good outcome is a claim.
        ("Running TP over InfiniBand would make every layer wait on the network.",
         {"running", "tp", "over", "infiniband"}),
        ("Running TP over NVLink will cut the step time.", set()),
        ("Keep TP on NVLink - TP across the fabric would crater throughput.",
         {"tp", "across", "the", "fabric"}),
        # The case of a slip and what it leads to; advice after "if you forgot" is the speaker's.
        ("If somebody forget the GQA and use 64 heads, he get 2.5 MiB per token, 8 times more.",
         {"if", "somebody", "forget", "the", "gqa", "and", "use", "64", "heads", "he", "get",
          "2", "5", "mib", "per", "token", "8", "times", "more"}),
        ("If you forgot, you can restripe the directory.", set()),
        # A verdict on the sentence before.
        ("KV grows quadratically. This is common mistake.",
         {"kv", "grows", "quadratically"}),
        ("KV grows linearly. That is a common mistake: people say quadratically.",
         {"people", "say", "quadratically"}),
        ("The other thing people get wrong is saying the cache grows quadratically.",
         {"the", "cache", "grows", "quadratically"}),
        ("The second common claim is that KV transfer is a deal-breaker.",
         {"kv", "transfer", "is", "a", "deal", "breaker"}),
        # Each dashed item on a label's line is a failure named, up to its fix.
        ("Things that go wrong: a crash mid-write - use a temp dir. A NaN overwrites your good "
         "checkpoints - keep several. We use DCP.",
         {"a", "crash", "mid", "write", "nan", "overwrites", "your", "good", "checkpoints"}),
        ("Things I'd get right that commonly go wrong:\n\n- A rank-0 gather OOMs; shard it.",
         {"a", "rank", "0", "gather", "ooms"}),
    ],
)  # fmt: skip
def test_questions_attributed_and_supposed_claims_are_reported(
    answer: str, reported: set[str]
) -> None:
    text = normalize(answer)
    assert {text.tokens[i].text for i in reported_tokens(text)} == reported


def test_the_case_of_a_warning_is_reported_not_claimed() -> None:
    text = normalize("If a config puts TP across nodes, it falls off a cliff. If TP is 8, fine.")
    reported = {text.tokens[i].text for i in reported_tokens(text)}
    assert reported == {"a", "config", "puts", "tp", "across", "nodes"}


@pytest.mark.parametrize(
    ("answer", "clause", "reach"),
    [
        ("It's H100, so that's NVLink 3, no, sorry, NVLink 4.",
         "so that's nvlink 3", "it's h100 so that's nvlink 3"),
        ("NDR is four hundred gigabytes, sorry, gigabits a second.",
         "ndr is four hundred gigabytes", "ndr is four hundred gigabytes"),
        # The retraction opens the next sentence: it takes back the end of the one before.
        ("Prefill is one pass, so it's memory-bound... no, sorry, backwards. It's compute-bound.",
         "so it's memory bound", "prefill is one pass so it's memory bound"),
        ("Stage two shards the parameters... no wait, that's stage three.",
         "stage two shards the parameters", "stage two shards the parameters"),
        ("GPUDirect goes through the CPU faster. Hmm, no, that's not right: it skips the CPU.",
         "gpudirect goes through the cpu faster", "gpudirect goes through the cpu faster"),
        ("Use ZeRO-2, or rather ZeRO-3, for 70B.", "use zero 2", "use zero 2"),
        # Struck through, and a retraction opened by a label.
        ("NDR is ~~400 GB/s~~ 400 Gb/s per port.", "400 gb s", "400 gb s"),
        ("It needs 1.4 TB. Edit: scratch that, the weights are enough.",
         "it needs 1 4 tb", "it needs 1 4 tb"),
        ("So NVLink is 18x the NIC. Let me restate that ratio properly: it is 9x.",
         "so nvlink is 18x the nic", "so nvlink is 18x the nic"),
        ("The checkpoint is 200 GB. That should read 1.4 TB.",
         "the checkpoint is 200 gb", "the checkpoint is 200 gb"),
        ("It grows quadratically. Wait, I had that backwards: it grows linearly.",
         "it grows quadratically", "it grows quadratically"),
        ("It always raises throughput. Amending that claim: it doesn't.",
         "it always raises throughput", "it always raises throughput"),
        ("Over one NIC that's 3.4 ms. Double-checking the arithmetic, that's off by 8x.",
         "over one nic that's 3 4 ms", "over one nic that's 3 4 ms"),
        ("The ratio is 18x, which, thinking about it again, is 9x.",
         "the ratio is 18x which", "the ratio is 18x which"),
        # Taken back before the answer goes on.
        ("I was going to say ZeRO-2 fits, but no, it needs ZeRO-3.", "zero 2 fits", "zero 2 fits"),
        ("First I thought 2 MB per token, but actually it's 320 KB.",
         "2 mb per token", "2 mb per token"),
        # Not retractions.
        ("Sorry, I forget the figure. It is 50 GB/s.", "", ""),
        ("I'd say it is 50 GB/s per port.", "", ""),
        ("I'm sorry to say there is no wait time, and no, actually nothing stalls.", "", ""),
        ("That should be enough, and we walk the tree back to the root.", "", ""),
    ],
)  # fmt: skip
def test_what_a_candidate_takes_back_is_retracted(answer: str, clause: str, reach: str) -> None:
    text = normalize(answer)
    retracted = retracted_tokens(text)
    assert " ".join(t.text for t in text.tokens if t.position in retracted.clauses) == clause
    assert " ".join(t.text for t in text.tokens if t.position in retracted.reach) == reach


def test_negations_typed_without_the_apostrophe_get_it_back() -> None:
    text = normalize("ZeRO-2 DOESNT fit and we cant wait; important, want.")
    assert text.folded == "zero-2 doesn't fit and we can't wait; important, want."
    start, end = text.original_span(7, 14)  # "doesn't" points back at what was typed
    assert text.original[start:end] == "DOESNT"
