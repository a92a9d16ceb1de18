"""Normalise an answer for matching while keeping a map back to what the candidate typed.

Checks see NFKC, case-folded text with invisible characters removed, homoglyphs folded and
dashes, quotes and spaces unified; every character of that text remembers the offset of the
original character it came from, so evidence always points into the original answer.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

# Cyrillic and Greek letters that render like Latin ones ("cаche" with a Cyrillic а).
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
        "ɡ": "g", "ո": "n", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H",
        "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J",
        "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "υ": "u",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip
_SPACES = frozenset("\t\r\f\v\u00a0\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B))))
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"'}

WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# Sentences end at . ! ? before a space (not after "i.e." or "e.g.", "vs.", "approx."), at a
# blank line, before a list item or a table row; a single newline inside a paragraph
# (hard-wrapped text) does not end one.
_SENTENCE_END_RE = re.compile(
    r"(?=[.!?])(?<!i\.e)(?<!e\.g)(?<!\bvs)(?<!\bapprox)(?<!a\.k\.a)(?<!w\.r\.t)[.!?]+(?=\s|$)"
    r"|\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*•·▪]|\d+[.)])\s)|\n(?=[ \t]*\|)|[•▪]|(?<=\s)·(?=\s)"
)
# Arrows ("not sharded -> X") and table cell borders end a clause too.
_CLAUSE_BREAK_RE = re.compile(r"[,;:()\[\]|]|\s-\s|->|=>|→")
_CLAUSE_WORDS = frozenset(
    {"but", "however", "although", "though", "whereas", "yet", "instead", "while", "unlike"}
)


def _is_invisible(char: str) -> bool:
    code = ord(char)
    if 0xE0000 <= code <= 0xE007F:  # tag characters
        return True
    return unicodedata.category(char) == "Cf" or char in "\u00ad\u034f"


class Token(NamedTuple):
    text: str
    start: int
    """Offset in the normalised text."""
    end: int
    position: int
    """Index of the token in the answer."""
    sentence: int
    clause: int


@dataclass
class NormalizedText:
    original: str
    cased: str
    """NFKC, homoglyphs folded, dashes/quotes/spaces unified; case kept (units need it)."""
    folded: str
    """`cased` case-folded: what concept and regex checks match against."""
    cased_map: list[int]
    folded_map: list[int]
    hidden: list[int] = field(default_factory=list)
    """Offsets of invisible characters removed from the original."""
    tokens: list[Token] = field(default_factory=list)
    sentence_spans: list[tuple[int, int]] = field(default_factory=list)
    """(start, end) of each sentence in the folded text."""
    token_ends: list[int] = field(default_factory=list)
    """The end offset of each token, for finding the token at an offset."""
    same_offsets: bool = False
    """Every original character became at most one character of `cased` and of `folded`, so
    an offset means the same character in both."""
    column_heads: dict[int, tuple[int, int]] = field(default_factory=dict)
    """For each token in the body of a markdown table: the first and last token of its
    column's header cell (what the cell is said of: "| | Prefill | Decode |")."""

    @functools.cached_property
    def plain_ascii(self) -> bool:
        """Only printable ASCII and ordinary whitespace (ASCII-mode regexes match the same)."""
        return self.cased.isascii() and not _ASCII_ODD_SPACE_RE.search(self.cased)

    @functools.cached_property
    def sentence_words(self) -> list[list[str]]:
        """The words of each sentence, in order."""
        words: list[list[str]] = [[] for _ in self.sentence_spans]
        for token in self.tokens:
            words[token.sentence].append(token.text)
        return words

    def original_span(self, start: int, end: int, *, cased: bool = False) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original."""
        mapping = self.cased_map if cased else self.folded_map
        if not mapping:
            return (0, 0)
        start = min(max(start, 0), len(mapping) - 1)
        end = min(max(end, start + 1), len(mapping))
        return mapping[start], mapping[end - 1] + 1

    def cased_to_folded(self, offset: int) -> int:
        """The folded offset of the first folded character from the same original character."""
        if self.same_offsets:
            return offset
        target = self.cased_map[min(offset, len(self.cased_map) - 1)] if self.cased_map else 0
        return bisect_left(self.folded_map, target)

    def token_at(self, offset: int) -> int:
        """Index of the first token ending after a folded offset (len(tokens) if none)."""
        return bisect_right(self.token_ends, offset)


def _fold_char(char: str) -> str:
    if char in _DASHES:
        return "-"
    if char in _QUOTES:
        return _QUOTES[char]
    if char in _SPACES:
        return " "
    out = unicodedata.normalize("NFKC", char).translate(_HOMOGLYPHS)
    return "".join(c for c in out if unicodedata.category(c) != "Mn")


_SUPERSCRIPTS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_SPECIAL_RE = re.compile(r"[^\x20-\x7e\n]")
_ASCII_ODD_SPACE_RE = re.compile(r"[\x1c-\x1f]")  # whitespace to Unicode \s only
# LaTeX-style maths reads as the text it renders to: "$2 \cdot 80 = 327{,}680$ B" is
# "2 · 80 = 327,680 B", "1.34\text{e}9" is "1.34e9".
_LATEX_SYMBOLS = {
    "cdot": "·", "times": "×", "approx": "≈", "sim": "~", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "to": "→", "rightarrow": "→", "Rightarrow": "⇒", "implies": "⇒", "ll": "≪",
    "gg": "≫", "quad": " ", "qquad": " ", "%": "%", ",": " ", ";": " ", ":": " ", " ": " ",
    "!": "",
}  # fmt: skip
_LATEX = (
    r"\\(?:text|mathrm|textrm|mathit|mathbf|operatorname)\{(?P<body>[^{}\n]*)\}"
    r"|\{,\}|\\(?P<cmd>[a-zA-Z]+|[%,;:! ])|\$"
)
# Negations typed without the apostrophe ("dont", "doesnt", "cant") get it back, so checks that
# look for "n't" see them.
_CONTRACTION = (
    r"(?i:\b(?P<neg>do|does|did|is|are|was|were|ca|wo|should|would|could|has|have|had|need)n)"
    r"(?=[tT]\b)"
)
# A cheap first look (lower-cased, no word boundary) before the scan above is used at all.
_MAYBE_CONTRACTION_RE = re.compile(
    r"(?:do|does|did|is|are|was|were|ca|wo|should|would|could|has|have|had|need)nt\b"
)


@functools.lru_cache(maxsize=4)
def _scanner(latex: bool, contractions: bool) -> re.Pattern[str]:
    """What normalize() visits one by one: non-ASCII characters, and markup when present."""
    parts = [_SPECIAL_RE.pattern] + [_LATEX] * latex + [_CONTRACTION] * contractions
    return re.compile("|".join(parts))


def _latex(match: re.Match[str]) -> list[tuple[int, str]]:
    """What a piece of LaTeX markup renders to: (original offset, character) pairs."""
    start, body, cmd = match.start(), match.group("body"), match.group("cmd")
    if body is not None:
        return list(enumerate(body, match.start("body")))
    if match.group() == "{,}":
        return [(start + 1, ",")]
    if match.group() == "$":
        return []  # "= 450$ GB/s" is "= 450 GB/s"
    if cmd in _LATEX_SYMBOLS:
        return [(start, c) for c in _LATEX_SYMBOLS[cmd]]
    return list(enumerate(match.group(), start))  # \frac, \alpha: as written


def normalize(original: str) -> NormalizedText:
    cased_parts: list[str] = []
    cased_map: list[int] = []
    folded_parts: list[str] = []
    folded_map: list[int] = []
    hidden: list[int] = []
    expanded = False  # some character became several ("ﬁ" -> "fi", "ß" -> "ss")
    done = 0
    # Printable ASCII is copied in runs; only the other characters (and LaTeX markup) go one
    # by one.
    latex = "\\" in original or "$" in original or "{,}" in original
    scan = _scanner(latex, _MAYBE_CONTRACTION_RE.search(original.lower()) is not None)
    for match in [*scan.finditer(original), None]:
        stop = match.start() if match else len(original)
        if stop > done:
            run = original[done:stop]
            cased_parts.append(run)
            folded_parts.append(run.lower())
            cased_map.extend(range(done, stop))
            folded_map.extend(range(done, stop))
        if match is None:
            break
        offset, char = match.start(), match.group()
        done = match.end()
        contraction = bool(match.groupdict().get("neg"))
        if contraction or len(char) > 1 or char == "$":
            # The apostrophe put back into "dont" shares the offset of the "t" after it.
            expanded = expanded or contraction
            pieces = (
                [*enumerate(char, offset), (match.end(), "'")] if contraction else _latex(match)
            )
            for at, c in pieces:
                cased_parts.append(c)
                cased_map.append(at)
                folded_parts.append(c.lower())
                folded_map.append(at)
            continue
        if _is_invisible(char):
            hidden.append(offset)
            continue
        cased = "-" if char == "⁻" else _fold_char(char)
        if char in _SUPERSCRIPTS and (offset == 0 or original[offset - 1] not in _SUPERSCRIPTS):
            cased = "^" + cased  # "10⁹" is 10^9, not 109; "64³" is 64^3
        for c in cased:
            cased_parts.append(c)
            cased_map.append(offset)
            folded = c.casefold()
            expanded = expanded or len(cased) != 1 or len(folded) != 1
            for f in folded:
                folded_parts.append(f)
                folded_map.append(offset)
    text = NormalizedText(
        original=original,
        cased="".join(cased_parts),
        folded="".join(folded_parts),
        cased_map=cased_map,
        folded_map=folded_map,
        hidden=hidden,
        same_offsets=not expanded,
    )
    _segment(text)
    return text


def _segment(text: NormalizedText) -> None:
    folded = text.folded
    spans: list[tuple[int, int]] = []
    start = 0
    for brk in [*(m.end() for m in _SENTENCE_END_RE.finditer(folded)), len(folded)]:
        if brk > start and folded[start:brk].strip():
            spans.append((start, brk))
        start = max(start, brk)
    text.sentence_spans = spans
    clause_breaks = [m.start() for m in _CLAUSE_BREAK_RE.finditer(folded)]
    # A token's clause number counts every boundary before it: sentence starts, punctuation
    # breaks and clause words ("but", "although", ...) including itself. Words never cross a
    # sentence boundary, so each sentence is tokenised on its own.
    tokens: list[Token] = []
    append = tokens.append
    make = tuple.__new__
    words_so_far = 0
    for sentence, (start, end) in enumerate(spans):
        for match in WORD_RE.finditer(folded, start, end):
            begin, finish = match.span()
            word = folded[begin:finish]
            if word in _CLAUSE_WORDS:
                words_so_far += 1
            clause = sentence + bisect_left(clause_breaks, begin) + words_so_far
            append(make(Token, (word, begin, finish, len(tokens), sentence, clause)))
    text.tokens = tokens
    text.token_ends = [token.end for token in tokens]
    if "|" in folded:
        text.column_heads = _column_heads(text)


_TABLE_RULE_RE = re.compile(r"[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*")


def _cells(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) of each cell of a table row "| a | b |" spanning folded[start:end]."""
    bars = [i for i in range(start, end) if folded[i] == "|"]
    if folded[start : bars[0]].strip():  # "a | b": no leading bar
        bars.insert(0, start - 1)
    if folded[bars[-1] + 1 : end].strip():  # no trailing bar
        bars.append(end)
    return [(a + 1, b) for a, b in zip(bars, bars[1:], strict=False)]


def _column_heads(text: NormalizedText) -> dict[int, tuple[int, int]]:
    """Map body-cell tokens of markdown tables to their header cell's tokens."""
    folded = text.folded
    lines: list[tuple[int, int]] = []
    offset = 0
    for line in folded.split("\n"):
        lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    heads: dict[int, tuple[int, int]] = {}
    i = 0
    while i + 2 < len(lines):
        (h_start, h_end), (r_start, r_end) = lines[i], lines[i + 1]
        if "|" not in folded[h_start:h_end] or not _TABLE_RULE_RE.fullmatch(folded[r_start:r_end]):
            i += 1
            continue
        header = [_tokens_in(text, a, b) for a, b in _cells(folded, h_start, h_end)]
        i += 2
        while i < len(lines) and "|" in folded[lines[i][0] : lines[i][1]]:
            for column, (a, b) in enumerate(_cells(folded, *lines[i])):
                head = header[column] if column < len(header) else None
                if head is not None:
                    for tok in range(*_tokens_in(text, a, b)):
                        heads[tok] = (head[0], head[1] - 1)
            i += 1
    return {tok: head for tok, head in heads.items() if head[1] >= head[0]}


def _tokens_in(text: NormalizedText, start: int, end: int) -> tuple[int, int]:
    """[first, stop) token indices lying inside folded[start:end]."""
    first = text.token_at(start)
    stop = first
    while stop < len(text.tokens) and text.tokens[stop].end <= end:
        stop += 1
    return first, stop


_QUOTED_RE = re.compile(r'"((?:[^"\n]|\n(?![ \t]*\n)){3,400})"')  # may wrap, one line at a time
QUOTED_MIN_WORDS = 3
# "Failure modes: one NIC per node, TP spread across IB" names mistakes, it does not make them
# (and so does "most clusters get this wrong: they gather everything on rank 0, ..."):
# the names of the pitfalls after such a label, on its line and in the bullets under it, up to
# where each item turns to its fix ("- Torn checkpoints: write to a temp dir ...").
_FAILURE_LABEL_RE = re.compile(
    r"\b(?:failure\s+modes?|pitfalls?|anti-?patterns?|common\s+mistakes?|mistakes\s+to\s+avoid|"
    r"(?:what|things\b[^:.\n]{0,30}?\bthat)\s+(?:\w+\s+)?go(?:es)?\s+wrong|gotchas?|risks?|"
    r"(?:get|gets|got|getting)\s+(?:this|it|that)\s+wrong)\b[^:\n]{0,30}:"
)
_FAILURE_WORDS = ("failure", "pitfall", "pattern", "mistake", "wrong", "gotcha", "risk")
_BULLET_LINE_RE = re.compile(r"[ \t]*(?:[-*•▪]|\d+[.)])\s")
_DASHED_FIX_RE = re.compile(r"[⇒→—]|->|=>|\s-\s")
"""Where an item turns to its fix with a dash or an arrow ("A NaN overwrites them - keep 3")."""
_FIX_RE = re.compile(
    rf"[:.;]|{_DASHED_FIX_RE.pattern}|\b(?:fix(?:es|ing)?\b|fixed\s+by\b|mitigat\w*|so\b|because\b)"
)

# "The usual mistake is calling it 18x", "people often say decode is compute-bound", "a junior
# once insisted it was 2 MB per token", "Hypothetical 1: we gather to rank 0": a claim described,
# attributed or supposed, not made, from there to the end of its clause.
_DESCRIBED_RE = re.compile(
    r"\b(?:mistakes?|myths?|misconceptions?|errors?|traps?|fallac(?:y|ies)|misreadings?)\s+"
    r"(?:here\s+)?(?:is|are|was|were)\b|\b(?:it'?s|there'?s|there\s+is)\s+a\s+(?:(?:common|popular|"
    r"persistent|widespread)\s+)?(?:myth|mistake|misconception|misunderstanding)\s+that\b"
    # "A misconception I hear is that ...", "the mistake people make is thinking ..."
    r"|\b(?:misconceptions?|myths?|mistakes?|misunderstandings?|slips?|errors?)\s+(?:i|we|you|people|"
    r"candidates|folks|juniors)\s+(?:\w+\s+){0,3}?(?:is|was)\s+(?:that|thinking|believing|assuming|"
    r"saying|writing|calling|quoting|treating|confusing|reading|using|taking)\b"
    r"|\b(?:people|candidates|folks|vendors|juniors|others|someone|somebody|a\s+(?:candidate|"
    r"colleague|junior|teammate|co-?worker|vendor|friend|student|manager|customer))\b"
    r"(?:\s+[\w'-]+){0,5}?\s+(?:often\s+|still\s+|wrongly\s+|mistakenly\s+|sometimes\s+|once\s+)?"
    r"(?:say|says|said|claim|claims|claimed|think|thinks|thought|believe|believes|believed|assume|"
    r"assumes|assumed|insist|insists|insisted|propose|proposes|proposed|suggest|suggests|suggested|"
    r"quote|quotes|quoted|argue|argues|argued|told\s+me)\b"
    # "Occasionally you hear it backwards, decode being compute-bound"
    r"|\b(?:you|people|i|we)\s+(?:often\s+|occasionally\s+|sometimes\s+|also\s+)?hear\s+(?:it\s+)?"
    r"(?:backwards|the\s+other\s+way\s+(?:round|around)|reversed|wrong)\b"
    # "A common assumption is that ...", "H2O is sometimes described as lossless"
    r"|\b(?:common|popular|widespread|frequent|naive|usual|typical)\s+(?:assumption|belief|claim|line|"
    r"story|argument|objection|refrain|take|mistake|misconception)s?\s+(?:is|are)\s+that\b"
    # "The other thing people get wrong is saying the cache grows quadratically"
    r"|\b(?:people|candidates|folks|juniors|everyone|many|most(?:\s+people)?)\s+(?:\w+\s+){0,2}?"
    r"(?:get|got)\s+(?:\w+\s+)?wrong\s+(?:is|was)\s+(?:that|thinking|believing|assuming|saying|"
    r"claiming)\b|\b(?:is|are)\s+(?:sometimes|often|commonly|usually|wrongly|occasionally|"
    r"frequently)\s+(?:described|called|labell?ed|presented|pitched|marketed|billed|treated|"
    r"thought\s+of|seen|viewed|sold)\s+as\b"
    r"|\b(?:the|a)\s+naive\s+(?:approach|strategy|design|plan|way|version|option|setup|"
    r"implementation|solution|idea|answer|baseline|layout|topology|policy)\b"
    r"|\bhypothetical(?:ly)?\b(?:\s+\d+)?\s*:?|\b(?:suppose|imagine)\s+(?:that\s+)?(?:we|you|someone)\b"
    r"|\bi\s+(?:first|initially|originally|previously|earlier)\s+(?:wrote|said|computed|calculated|got|"
    r"had|claimed|put|stated|thought|assumed)\b(?:\s+(?:that|down|above))?"
    # Counterfactuals: "Had we fitted a single NIC per node, ...", "Were we to checkpoint once
    # per epoch, ...", "If you were to stretch TP across nodes, ...".
    # "had" must open its sentence, which _described() checks after the match: a lookbehind
    # here would be tried at every position of every answer.
    r"|\b(?P<had>had)\s+(?:we|you|they|someone|anyone|one|i)\b"
    r"|\bwere\s+(?:we|you|they|someone|one|i)\s+to\b"
    r"|\bif\s+(?:we|you|they|someone|anyone|one|i)\s+(?:were|was)\s+to\b"
)


def _matches_where(
    pattern: re.Pattern[str], folded: str, keep: Callable[[re.Match[str]], bool]
) -> Iterator[re.Match[str]]:
    """The matches of a pattern that `keep` accepts; after one it refuses, the scan goes on from
    the next character (a shorter match may start inside the refused one)."""
    pos = 0
    while (m := pattern.search(folded, pos)) is not None:
        if keep(m):
            yield m
            pos = m.end()
        else:
            pos = m.start() + 1


def _described(folded: str) -> Iterator[re.Match[str]]:
    """The matches of _DESCRIBED_RE, with a counterfactual "had we" only where it opens a
    sentence or a line."""

    def keep(m: re.Match[str]) -> bool:
        start = m.start()
        return (
            m.start("had") < 0
            or start == 0
            or folded[start - 1] == "\n"
            or (start >= 2 and folded[start - 1].isspace() and folded[start - 2] in ".!?:;(")
        )

    return _matches_where(_DESCRIBED_RE, folded, keep)


# A sentence that announces a list of mistakes, and the items that follow it on their own
# sentences: "Two anti-patterns to rule out first. One: gathering on rank 0. Two: ..."
_MISTAKES_HEAD_RE = re.compile(
    r"\b(?:anti-?patterns?|mistakes?|pitfalls?|myths?|misconceptions?|traps?)\b[^.]{0,40}"
    r"(?:\b(?:to\s+(?:avoid|rule\s+out|watch|kill)|i\s+see|people\s+make|first)\b|:)"
)
_ORDINAL_ITEM_RE = re.compile(
    r"\s*(?:one|two|three|four|five|first|second|third|fourth|fifth|[1-5])\s*[:.)]\s", re.I
)


# A table column of what goes wrong or what not to do: "| What goes wrong | Naive design | Fix |".
_REPORTING_HEAD_RE = re.compile(
    r"\b(?:naive|mistakes?|anti-?patterns?|wrong|myths?|bad|avoid|don't|pitfalls?|"
    r"misconceptions?|failures?|causes?|symptoms?)\b"
)

# "If the transfer went through host memory and TCP, we'd add copies": a counterfactual, told in
# the past tense with "would" after it.
_COUNTERFACTUAL_RE = re.compile(
    r"\bif\b(?P<case>[^,.;:\n]{3,100}?\b(?:went|were|was|had|did|used|ran|put|saved|sent|gathered|"
    r"wrote|kept|stored|relied)\b[^,.;:\n]{0,80}),\s*(?:we|you|it|they|that|this|i)(?:'d|\s+would|\s+could)\b"
)
# "If a job config puts TP across nodes, performance falls off a cliff": a warning.
_WARNING_RE = re.compile(  # the word boundary before "if" is checked after the match: faster
    r"(?:if|when|whenever)\b(?P<case>[^,.;:\n]{3,120}),\s*(?P<then>[^.;\n]{0,80})"
)
_BAD_OUTCOME_RE = re.compile(
    r"\b(?:cliff|slow\w*|stall\w*|hurts?|breaks?|kills?|tanks?|falls?|fails?|bottleneck\w*|"
    r"degrad\w*|suffers?|crawls?|collapses?|ooms?|crash\w*|worse|disaster|starv\w*|chok\w*|"
    r"wait(?:s|ing)?\s+(?:on|for))\b"
)
# "Running TP over InfiniBand would make every layer wait on the network", "I'm sure running TP
# over the network would hurt": a warning whose case is a gerund.
_GERUND_CASE_RE = re.compile(
    r"\b(?P<case>(?P<verb>[a-z]{3,}ing)\b[^,.;:\n]{3,80}?)\s+(?:would|will|could)\s+"
    r"(?P<then>[^.;\n]{0,80})"
)
# "so it has to stay on NVLink - TP across the fabric would crater throughput": a clause whose
# verb is a bad outcome that "would" follow is a warning, and what comes before it is its case.
_CONSEQUENCE_RE = re.compile(
    r"(?:^|[,;:(—–]|\s-\s|\b(?:so|and|but|since|because|otherwise)\b)\s*"
    r"(?P<case>(?:(?!\s-\s)[^,.;:()—–\n]){3,60}?)\s+(?:would|will|could)\s+(?:\w+\s+)?"
    r"(?:crater\w*|cripple\w*|tank\w*|kill\w*|ruin\w*|destroy\w*|hurt\w*|choke\w*|starve\w*|"
    r"stall\w*|bottleneck\w*|collapse\w*|wreck\w*|halve\w*|slow\w*)\b"
)
_NOT_GERUNDS = frozenset(
    "during nothing something anything everything morning string thing ring bring spring".split()
)
# "If somebody forgets the GQA and uses 64 heads, they get 2.5 MiB per token": the slip and what
# it leads to are both reported, to the end of the sentence.
_SLIP_CASE_RE = re.compile(
    r"\b(?:if|when)\s+(?:you|we|they|somebody|someone|anyone|people|one|a\s+\w+)\s+(?:\w+\s+){0,2}?"
    r"(?:forgets?|forgot|ignores?|ignored|neglects?|neglected|overlooks?|overlooked|confuses?|"
    r"confused)\b[^,.;\n]*,?\s*(?:(?:you|we|they|he|she|one|it|that|this)(?:'d|\s+would|\s+will)?\s+)?"
    r"(?:get|gets|got|end\s+up|ends\s+up|obtain|arrive|land|come\s+out|comes\s+out|see|compute)\b"
    r"(?:[^.;\n]|\.(?=\d))*"
)
# "This is a common mistake.": a verdict on the sentence before.
_MISTAKE_VERDICT_RE = re.compile(
    r"[\s(]*(?:this|that|it)(?:'s|\s+is|\s+was)\s+(?:a\s+|the\s+)?(?:(?:very\s+|really\s+)?"
    r"(?:common|classic|typical|frequent|usual|easy|popular|rookie|big)\s+)?"
    r"(?:mistake|error|misconception|trap|pitfall|myth|slip|misreading)\b(?P<rest>[^:]*)$"
)
VERDICT_REST_MAX = 8
"""Words a mistake verdict may go on with ("... when sizing the cache") and still be one."""


# "that's NVLink 3, no, sorry, NVLink 4", "ZeRO-2 shards the parameters... no wait, that's stage
# three": the candidate takes back what came just before and says it again.
_RETRACTION_RE = re.compile(
    # After a punctuation mark or at the start of a line (checked by the caller): "..., no,
    # sorry, ...", "... memory-bound... no wait", "Sorry, gigabits".
    r"\b(?P<opening>(?:(?:actually|well|oh|um|hmm)[,.!]?\s+)?"
    r"(?:(?:no|nope)[,.!]?\s+(?:wait|sorry|actually)|(?:wait|sorry|actually)[,.!]?\s+(?:no|nope)|sorry"
    r"|(?:no[,.!]?\s+)?that's\s+(?:not\s+right|wrong|incorrect|not\s+correct)"
    r"|make\s+that|(?:actually,?\s+)?the\s+opposite\s+is\s+true)\b)"
    # Anywhere: "Erratum:", "let me revise that figure", "I'll walk that back", "strike what I
    # said about X", "I had that backwards", "amending that claim", "(correction to that ...)".
    r"|\b(?:scratch|strike)\s+(?:that|this|what\s+i\s+(?:said|wrote))\b|\berrat(?:um|a)\b"
    r"|\bcorrection\s*(?::|to\s+(?:that|this|my|the\s+last))"
    r"|\blet\s+me\s+(?:correct|restate|revise|rephrase|amend|redo|retract|fix)\s+(?:that|this|myself|it)\b"
    r"|\b(?:take|took|taking|walk|walking)\s+(?:that|this|it)\s+back\b|\bthat\s+should\s+(?:read|say)\b"
    r"|\bamend(?:ing|ed)?\s+(?:that|this|my|the)\b|\bon\s+second\s+(?:thought|look)\b|\bor\s+rather\b"
    r"|\bthat(?:'s|\s+is)\s+off\s+by\b"
    r"|\bthat\s+came\s+out\s+wrong\b|\bon\s+reflection\b|\bthinking\s+about\s+it\s+again\b"
    r"|\bchecking\s+myself\b|\b(?:let\s+me\s+|i\s+(?:want\s+to|need\s+to|'ll|will)\s+)"
    r"(?:retract|walk\s+back)\b"
    r"|\bi\s+(?:misspoke|misremembered|misstated|overstated|conflated)\b"
    r"|\bi\s+(?:have|had)\s+(?:it|that|these|them)\s+mixed\s+up\b"
    r"|\b(?:i\s+(?:got|have|had)\s+(?:that|it|this)|that's|it's|no,?)\s+backwards\b"
)
_OPENING_AFTER = frozenset(",;(.!?-")


def _opens(folded: str, at: int) -> bool:
    """Whether only a punctuation mark (or a line start) and spaces come before offset `at`."""
    k = at
    while k > 0 and folded[k - 1].isspace():
        k -= 1
    return k == 0 or folded[k - 1] in _OPENING_AFTER or "\n" in folded[k:at]


def _retractions(folded: str) -> Iterator[re.Match[str]]:
    """The matches of _RETRACTION_RE; an opening marker must open its clause ("and actually, no
    wait" is tried again from "no")."""
    return _matches_where(
        _RETRACTION_RE,
        folded,
        lambda m: m.group("opening") is None or _opens(folded, m.start()),
    )


# Struck-through text ("~~400 GB/s~~ 400 Gb/s", "<del>18x</del>") is taken back as it stands.
_STRUCK_RE = re.compile(r"~~(?!\s)(.{1,200}?)~~|<(s|del|strike)>(.{1,200}?)</\2>", re.DOTALL)
_RETRACTION_WORDS = (  # one of these is in every retraction: a cheap first look
    "sorry", "wait", "actually", "'s wrong", "s incorrect", "not right", "not correct",
    "correct that", "correct this", "correct it", "correct myself", "correction", "scratch",
    "strike", "misspoke", "or rather", "backwards", "errat", "let me re", "let me fix",
    "let me amend", "that back", "this back", "it back", "should read", "should say", "amend",
    "second thought", "misremember", "misstated", "overstated", "conflated", "mixed up",
    "make that", "opposite", "off by", "came out wrong", "reflection", "second look",
    "thinking about it", "checking myself", "retract", "walk back",
)  # fmt: skip
# Words that may open a retraction's sentence before its marker ("Edit:", "Wait,", "I have to
# take that back"): it still takes back the sentence before.
_RETRACTION_LEADS = frozenset(
    """edit update ps note oh oops hmm um uh well ok okay actually wait no sorry so and but i
    i'll i'd i'm have had to need must will should let me want just""".split()
)
# "I was going to say <claim>, but no": a claim taken back before the answer goes on.
_FORWARD_RETRACTIONS = (
    ("going", "to", "say"), ("about", "to", "say"), ("tempted", "to", "say"),
    ("first", "i", "thought"), ("initially", "i", "thought"), ("used", "to", "think"),
)  # fmt: skip
_TAKE_BACK = frozenset("but actually wait no".split())
RETRACTED_MAX_TOKENS = 20
"""How far back a retraction reaches when judging wrong claims."""


class Retracted(NamedTuple):
    clauses: frozenset[int]
    """The clause just before each retraction: what it takes back earns nothing."""
    reach: frozenset[int]
    """Back to the start of its sentence (or over the sentence before, when the retraction opens
    one), at most RETRACTED_MAX_TOKENS: no wrong claim is charged there."""


def retracted_tokens(text: NormalizedText) -> Retracted:
    """What the candidate takes back ("no, sorry", "wait, no", "scratch that", "or rather", or
    text struck through)."""
    folded, tokens = text.folded, text.tokens
    clauses: set[int] = set()
    reach: set[int] = set()
    for i in [i for i, tok in enumerate(tokens) if tok.text in ("say", "thought", "think")]:
        if tuple(t.text for t in tokens[max(0, i - 2) : i + 1]) not in _FORWARD_RETRACTIONS:
            continue
        end = i + 1
        while end < len(tokens) and tokens[end].sentence == tokens[i].sentence:
            if tokens[end].text in _TAKE_BACK:
                clauses.update(range(i + 1, end))
                reach.update(range(i + 1, end))
                break
            end += 1
    if "~~" in folded or "</" in folded:
        for m in _STRUCK_RE.finditer(folded):
            group = 1 if m.group(1) is not None else 3
            struck = range(*_tokens_in(text, m.start(group), m.end(group)))
            clauses.update(struck)
            reach.update(struck)
    if not tokens or not any(word in folded for word in _RETRACTION_WORDS):
        return Retracted(frozenset(clauses), frozenset(reach))
    floor = 0
    for m in _retractions(folded):
        stop = text.token_at(m.start())  # the retraction's first token
        lead = stop
        while lead > floor and tokens[lead - 1].text in _RETRACTION_LEADS:
            lead -= 1  # "Edit: scratch that": it opens its sentence
        if 0 < stop < len(tokens):
            # "Double-checking the arithmetic, that's off by 8x": a short fronted phrase and a
            # comma open the sentence too
            opening = stop
            while opening > floor and tokens[opening - 1].sentence == tokens[stop].sentence:
                opening -= 1
            fronted = [t.text for t in tokens[opening:stop]]
            if (
                0 < len(fronted) <= 5
                and (
                    any(w.endswith("ing") for w in fronted)
                    or fronted[0] in ("re", "on", "upon", "after")
                )
                and "," in folded[tokens[stop - 1].end : tokens[stop].start]
            ):
                lead = min(lead, opening)
        if lead > 0 and (stop >= len(tokens) or tokens[lead - 1].sentence != tokens[stop].sentence):
            stop = lead
        if stop == 0 or stop <= floor:
            continue
        before = tokens[stop - 1]
        if before.text in ("which", "that", "this", "it") and stop >= 2:
            before = tokens[stop - 2]  # "18x, which, on reflection, ...": the clause it refers to
        first = stop
        while (
            first > max(floor, stop - RETRACTED_MAX_TOKENS)
            and tokens[first - 1].sentence == before.sentence
        ):
            first -= 1
            if tokens[first].clause in (before.clause, tokens[stop - 1].clause):
                clauses.add(first)
        reach.update(range(first, stop))
        floor = text.token_at(m.end())
    return Retracted(frozenset(clauses), frozenset(reach))


_YAML_KEY_RE = re.compile(r"[ \t]*(?:-[ \t]+)?[\w.-]{1,40}:[ \t]*")


def _json_string(folded: str, start: int, end: int) -> bool:
    """A quoted string that is a key ('{"zero-3": ...') or a value ('"zero-3": "17.5 GB"') of
    a JSON object, or the whole value of a YAML key ('zero3: "17.5 GB"'); a quotation after a
    comma or a label in prose is none of these."""
    head = folded[:start].rstrip()
    after = folded[end:].lstrip()[:1]
    if after == ":":
        return head[-1:] in ("{", ",")
    if head[-1:] == ":" and head[:-1].rstrip().endswith('"'):
        return True
    line_start = folded.rfind("\n", 0, start) + 1
    line_end = folded.find("\n", end)
    rest = folded[end : line_end if line_end != -1 else len(folded)]
    return bool(_YAML_KEY_RE.fullmatch(folded, line_start, start)) and rest.strip() in ("", ",")


def reported_tokens(text: NormalizedText) -> frozenset[int]:
    """Tokens of claims the candidate reports rather than makes: a quotation of three words or
    more, or of a figure ('"FSDP is model parallelism" is wrong'), a claim described as a mistake,
    attributed to someone else or supposed, a question, a table column of what goes wrong, the
    names in a list of failure modes, the case of a warning ("if X, it falls off a cliff") and of
    a counterfactual ("had we fitted one NIC per node, ...", "if it went through the host, we'd
    ..."). The strings of a JSON or YAML design doc are stated, not quoted."""
    folded = text.folded
    out: set[int] = set()
    for m in _COUNTERFACTUAL_RE.finditer(folded) if "if" in folded else ():
        out.update(range(*_tokens_in(text, m.start("case"), m.end("case"))))
    for m in _WARNING_RE.finditer(folded):
        starts_word = m.start() == 0 or not (
            folded[m.start() - 1].isalnum() or folded[m.start() - 1] in "_'"
        )
        if starts_word and _BAD_OUTCOME_RE.search(m.group("then")):
            out.update(range(*_tokens_in(text, m.start("case"), m.end("case"))))
    slipped = any(word in folded for word in ("forg", "ignor", "neglect", "overlook", "confus"))
    for m in _SLIP_CASE_RE.finditer(folded) if slipped else ():
        out.update(range(*_tokens_in(text, m.start(), m.end())))
    tokens = text.tokens
    for m in _described(folded):
        first = stop = text.token_at(m.end())
        while stop < len(tokens) and tokens[stop].clause == tokens[first].clause:
            stop += 1
        out.update(range(first, stop))
    for m in _QUOTED_RE.finditer(folded):
        if _json_string(folded, m.start(), m.end()):
            continue  # '"ZeRO-3": "17.5 GB/GPU"' in a JSON design doc is stated, not quoted
        first, stop = _tokens_in(text, m.start(1), m.end(1))
        if stop - first >= QUOTED_MIN_WORDS or any(c.isdigit() for c in m.group(1)):
            out.update(range(first, stop))  # a quoted figure is named, not given: the "18x" figure
    listing = False  # "Two anti-patterns to rule out first. One: ... Two: ..."
    for index, (start, end) in enumerate(text.sentence_spans):
        sentence = folded[start:end]
        if sentence.rstrip().endswith("?"):
            out.update(range(*_tokens_in(text, start, end)))  # a question claims nothing
        modal = "would" in sentence or "will" in sentence or "could" in sentence
        for gerund in _GERUND_CASE_RE.finditer(sentence) if modal and "ing" in sentence else ():
            if gerund.group("verb") not in _NOT_GERUNDS and _BAD_OUTCOME_RE.search(
                gerund.group("then")
            ):
                case = (start + gerund.start("case"), start + gerund.end("case"))
                out.update(range(*_tokens_in(text, *case)))
        for consequence in _CONSEQUENCE_RE.finditer(sentence) if modal else ():
            case = (start + consequence.start("case"), start + consequence.end("case"))
            out.update(range(*_tokens_in(text, *case)))
        verdict = _MISTAKE_VERDICT_RE.match(sentence)
        if index and verdict and len(WORD_RE.findall(verdict.group("rest"))) <= VERDICT_REST_MAX:
            out.update(range(*_tokens_in(text, *text.sentence_spans[index - 1])))
        if _ORDINAL_ITEM_RE.match(sentence):
            if listing:
                out.update(range(*_tokens_in(text, start, end)))
        elif _MISTAKES_HEAD_RE.search(sentence):
            listing = True
        elif "\n\n" in sentence or sentence.rstrip().endswith(":"):
            listing = False  # the list's paragraph is over ("Instead:")
    for tok, (head_first, head_last) in text.column_heads.items():
        head = folded[tokens[head_first].start : tokens[head_last].end]
        if _REPORTING_HEAD_RE.search(head):
            out.add(tok)
    labelled = any(word in folded for word in _FAILURE_WORDS)
    for m in _FAILURE_LABEL_RE.finditer(folded) if labelled else ():
        line_end = folded.find("\n", m.end())
        line_end = len(folded) if line_end < 0 else line_end
        # On the label's own line, a sentence that sets a fix apart with a dash or an arrow is
        # an item too ("Things that go wrong: a crash mid-write - write to temp... A NaN gets
        # saved and overwrites your good checkpoints - so retain several").
        items = [(m.end(), line_end)]
        for a, b in text.sentence_spans:
            if m.end() < a < line_end:
                if not _DASHED_FIX_RE.search(folded, a, min(b, line_end)):
                    break
                items[-1] = (items[-1][0], a)
                items.append((a, line_end))
        while items[-1][1] < len(folded):
            at = items[-1][1] + 1
            if len(items) == 1 and not folded[m.end() : line_end].strip():
                while folded.startswith("\n", at):
                    at += 1  # "Things that go wrong:", a blank line, then the list
            bullet = _BULLET_LINE_RE.match(folded, at)
            if bullet is None:
                break
            following = folded.find("\n", bullet.end())
            items.append((bullet.end(), len(folded) if following < 0 else following))
        for start, end in items:
            fix = _FIX_RE.search(folded, start, end)
            out.update(range(*_tokens_in(text, start, fix.start() if fix else end)))
    return frozenset(out)
