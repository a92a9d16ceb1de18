"""The rubric file format: validated data, not code.

A rubric is a YAML file in `rubrics/`. Pydantic validates it with `extra="forbid"`; regexes are
compiled (and probed for catastrophic backtracking) at load time; every error names the file and
the criterion. `rubric_json_schema()` is what `rubrics/rubric.schema.json` is generated from.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

import regex
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from coach.errors import RubricError
from coach.scoring import arithmetic
from coach.scoring.units import Unit, parse_unit

SHARED_DIMENSIONS = ("numbers", "intra-vs-inter-node", "memory-sizing", "failure-modes")
REGEX_TIMEOUT_S = 0.05
_ID = r"^[a-z0-9][a-z0-9-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


ConceptSpec = Annotated[
    str | list[str],
    Field(description="A concept name, or a list whose items are concept names or literal terms."),
]


class ConceptCheck(_Model):
    type: Literal["concept"]
    concept: ConceptSpec
    negatable: bool = True
    """When true (default), mentions in a negated or dismissive clause do not count."""


class RegexCheck(_Model):
    type: Literal["regex"]
    pattern: str
    case_sensitive: bool = False
    """Case-sensitive patterns run on the un-folded text (needed for GB vs Gb)."""
    negatable: bool = True

    @field_validator("pattern")
    @classmethod
    def _compiles_and_is_safe(cls, pattern: str) -> str:
        try:
            compiled = regex.compile(pattern, regex.VERSION0)
        except regex.error as exc:
            raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc
        for probe in ("a" * 28 + "!", "ab " * 14 + "!", "1" * 28 + "x", "a1 " * 14):
            try:
                compiled.search(probe, timeout=REGEX_TIMEOUT_S)
            except TimeoutError as exc:
                raise ValueError(
                    f"regex {pattern!r} backtracks catastrophically "
                    f"(over {REGEX_TIMEOUT_S * 1000:.0f} ms on {len(probe)} characters)"
                ) from exc
        return pattern


class QuantityCheck(_Model):
    type: Literal["quantity"]
    unit: str
    """The unit that value/min/max are written in: GB, GiB, GB/s, Gb/s, ms, MB/token, x, ..."""
    value: float | None = None
    tolerance: float = 0.05
    """Relative tolerance around value (0.05 = 5 %)."""
    min: float | None = None
    max: float | None = None
    written_as: Literal["any", "bytes", "bits"] = "any"
    """Match only numbers written with byte units (GB/s) or bit units (Gb/s, Gbps, 400G)."""
    near: ConceptSpec | None = None
    """Require a concept within `within` words in the same sentence."""
    within: int = 10
    unless_near: ConceptSpec | None = None
    """Ignore a number with this concept within `within` words (e.g. "per node")."""
    negatable: bool = True

    @model_validator(mode="after")
    def _window(self) -> QuantityCheck:
        parse_unit(self.unit)  # raises ValueError naming the unit
        if self.value is None and self.min is None and self.max is None:
            raise ValueError("a quantity check needs value, or min and/or max")
        if self.value is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either value (+ tolerance) or min/max, not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    @functools.cached_property
    def target(self) -> Unit:
        return parse_unit(self.unit)

    @functools.cached_property
    def bounds(self) -> tuple[float, float]:
        """The accepted window [lo, hi] in the base unit of the check's dimension."""
        factor = self.target.factor
        if self.value is not None:
            lo = self.value * factor * (1 - self.tolerance)
            hi = self.value * factor * (1 + self.tolerance)
        else:
            lo = self.min * factor if self.min is not None else float("-inf")
            hi = self.max * factor if self.max is not None else float("inf")
        return min(lo, hi), max(lo, hi)


class NearCheck(_Model):
    type: Literal["near"]
    a: ConceptSpec
    b: ConceptSpec
    within: int = 12
    """Maximum distance in words between the two mentions."""
    same_sentence: bool = True
    rival: ConceptSpec | None = None
    """A concept `b` may be said of instead of `a` ("prefill is memory-bound and decode is
    compute-bound"): `b` then counts only when its subject is `a` - the mention right after
    it ("compute-bound prefill"), else the closest one before it in the sentence, else the
    closest after it; a rival introduced by "unlike", "than", "like" is not a subject."""


# Relative cost of each check kind: composite checks run their children cheapest first.
_COST = {"concept": 0, "near": 1, "quantity": 2, "all": 3, "any": 3, "at_least": 3, "regex": 4}


class _Composite(_Model):
    checks: list[Check] = Field(min_length=1)

    @functools.cached_property
    def cheapest_first(self) -> list[int]:
        """Indexes of the children, cheapest kind first (stable)."""
        return sorted(range(len(self.checks)), key=lambda i: _COST[self.checks[i].type])


class AllCheck(_Composite):
    type: Literal["all"]


class AnyCheck(_Composite):
    type: Literal["any"]


class AtLeastCheck(_Composite):
    type: Literal["at_least"]
    n: int = Field(ge=1)

    @model_validator(mode="after")
    def _reachable(self) -> AtLeastCheck:
        if self.n > len(self.checks):
            raise ValueError(f"at_least n={self.n} but only {len(self.checks)} checks")
        return self


Check = Annotated[
    ConceptCheck | RegexCheck | QuantityCheck | NearCheck | AllCheck | AnyCheck | AtLeastCheck,
    Field(discriminator="type"),
]
for _model in (AllCheck, AnyCheck, AtLeastCheck):
    _model.model_rebuild()


class Dimension(_Model):
    id: str = Field(pattern=_ID)
    title: str
    description: str = ""


class Criterion(_Model):
    id: str = Field(pattern=_ID)
    dimension: str
    points: float = Field(gt=0)
    description: str = Field(min_length=1)
    feedback_met: str = Field(min_length=1)
    feedback_missed: str = Field(min_length=1)
    check: Check
    unless: Check | None = None
    """When this check also passes, the criterion is not met (e.g. a figure only valid under
    an assumption the answer does not state)."""


class Misconception(_Model):
    id: str = Field(pattern=_ID)
    penalty: float = Field(gt=0)
    """Score points (out of 100) subtracted when the misconception is present."""
    description: str = Field(min_length=1)
    correction: str = Field(min_length=1)
    check: Check
    unless: Check | None = None


class Example(_Model):
    id: str = Field(pattern=_ID)
    style: str = ""
    min_score: float = Field(default=0, ge=0, le=100)
    max_score: float = Field(default=100, ge=0, le=100)
    expect_met: list[str] = Field(default_factory=list)
    expect_missed: list[str] = Field(default_factory=list)
    expect_misconceptions: list[str] = Field(default_factory=list)
    expect_flags: list[str] = Field(default_factory=list)
    expect_no_misconceptions: list[str] = Field(default_factory=list)
    """Misconceptions this answer must not be charged with (it says the right thing in words
    that resemble the wrong one)."""
    answer: str = Field(min_length=1)


class Rubric(_Model):
    schema_ref: str | None = Field(default=None, alias="$schema")
    id: str = Field(pattern=_ID)
    title: str
    topic: str
    question: str = Field(min_length=1)
    suggested_minutes: int = Field(gt=0, le=120)
    dimensions: list[Dimension] = Field(min_length=1)
    concepts: dict[str, list[str]] = Field(default_factory=dict)
    anchors: list[str] = Field(min_length=1)
    """Concept names that show the answer is about this question (off-topic detection)."""
    min_anchors: int = Field(default=3, ge=1)
    foreign: list[str] = Field(default_factory=list)
    """Concept names that mark the OTHER questions: an answer that mentions more of these than
    of `anchors` is answering a different question (off-topic)."""
    domain: str | None = None
    """A concept naming the world the question is set in (GPUs, models, training): an answer
    that never mentions it is about something else however many of the question's words it
    reuses (a game's save files are "checkpoints" written "atomically", a Redis cache has
    "keys, values and LRU eviction")."""
    criteria: list[Criterion] = Field(min_length=1)
    misconceptions: list[Misconception] = Field(default_factory=list)
    model_answer: str = Field(min_length=1)
    why_strong: str = Field(min_length=1)
    examples: list[Example] = Field(default_factory=list)
    version: str = ""
    """Content hash of the file (set by the loader, not written in the file)."""
    _compiled: Any = PrivateAttr(default=None)
    """The concept index, built on first use (see grader.compiled_index)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _references(self) -> Rubric:
        dims = {d.id for d in self.dimensions}
        _unique("dimension", [d.id for d in self.dimensions])
        _unique("criterion", [c.id for c in self.criteria])
        _unique("misconception", [m.id for m in self.misconceptions])
        _unique("example", [e.id for e in self.examples])
        for name, terms in self.concepts.items():
            if not terms or any(not t.strip() for t in terms):
                raise ValueError(f"concept {name!r}: needs at least one non-empty term")
        for anchor in self.anchors:
            self._concept_exists(anchor, "anchors")
        for name in self.foreign:
            self._concept_exists(name, "foreign")
        if self.domain is not None:
            self._concept_exists(self.domain, "domain")
        if overlap := set(self.anchors) & set(self.foreign):
            raise ValueError(f"foreign: {sorted(overlap)} are also anchors")
        for criterion in self.criteria:
            if criterion.dimension not in dims:
                raise ValueError(
                    f"criterion {criterion.id!r}: unknown dimension {criterion.dimension!r} "
                    f"(declared: {', '.join(sorted(dims))})"
                )
            for check in (criterion.check, criterion.unless):
                self._check_refs(check, f"criterion {criterion.id!r}")
        for mis in self.misconceptions:
            if mis.id == arithmetic.MISCONCEPTION_ID:
                raise ValueError(
                    f"misconception {mis.id!r}: the id is reserved for worked arithmetic"
                )
            for check in (mis.check, mis.unless):
                self._check_refs(check, f"misconception {mis.id!r}")
        criteria = {c.id for c in self.criteria}
        misconceptions = {m.id for m in self.misconceptions} | {arithmetic.MISCONCEPTION_ID}
        for ex in self.examples:
            where = f"example {ex.id!r}"
            if ex.min_score > ex.max_score:
                raise ValueError(f"{where}: min_score is above max_score")
            for cid in [*ex.expect_met, *ex.expect_missed]:
                if cid not in criteria:
                    raise ValueError(f"{where}: unknown criterion {cid!r}")
            for mid in ex.expect_misconceptions:
                if mid not in misconceptions:
                    raise ValueError(f"{where}: unknown misconception {mid!r}")
        return self

    def domain_hint(self) -> str:
        """The first terms of the domain concept, for messages: "GPUs, training or models"."""
        terms = self.concepts[self.domain][:3] if self.domain else []
        return " or ".join([", ".join(terms[:-1]), terms[-1]]) if len(terms) > 1 else "".join(terms)

    def _concept_exists(self, spec: str | list[str], where: str) -> None:
        if isinstance(spec, str) and spec not in self.concepts:
            raise ValueError(f"{where}: unknown concept {spec!r}")

    def _check_refs(self, check: Any, where: str) -> None:
        if check is None:
            return
        if isinstance(check, ConceptCheck):
            self._concept_exists(check.concept, where)
        elif isinstance(check, NearCheck):
            self._concept_exists(check.a, where)
            self._concept_exists(check.b, where)
        elif isinstance(check, QuantityCheck):
            for spec in (check.near, check.unless_near):
                if spec is not None:
                    self._concept_exists(spec, where)
        elif isinstance(check, AllCheck | AnyCheck | AtLeastCheck):
            for child in check.checks:
                self._check_refs(child, where)

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.criteria)

    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]


def _unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {kind} id {item!r}")
        seen.add(item)


def rubric_version(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


_SINGULAR = {
    "criteria": "criterion",
    "misconceptions": "misconception",
    "examples": "example",
    "dimensions": "dimension",
}


def _format_error(path: Path, data: Any, exc: ValidationError) -> str:
    lines = [f"{path}: invalid rubric"]
    for err in exc.errors():
        loc = list(err["loc"])
        where = []
        if len(loc) >= 2 and loc[0] in ("criteria", "misconceptions", "examples", "dimensions"):
            try:
                item_id = data[loc[0]][loc[1]].get("id", f"#{loc[1]}")
            except (KeyError, IndexError, TypeError, AttributeError):
                item_id = f"#{loc[1]}"
            where.append(f"{_SINGULAR[str(loc[0])]} {item_id!r}")
            loc = loc[2:]
        field = ".".join(str(part) for part in loc)
        if field:
            where.append(field)
        lines.append(f"  {' / '.join(where) or 'file'}: {err['msg']}")
    return "\n".join(lines)


def parse_rubric(raw: bytes, path: Path) -> Rubric:
    """Validate one rubric file's bytes; raise RubricError naming the file and criterion."""
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RubricError(f"{path}: not valid UTF-8 YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RubricError(f"{path}: a rubric file must be a mapping at the top level")
    if "version" in data:
        raise RubricError(f"{path}: 'version' is computed from the file, do not write it")
    try:
        rubric = Rubric.model_validate({**data, "version": rubric_version(raw)})
    except ValidationError as exc:
        raise RubricError(_format_error(path, data, exc)) from exc
    if rubric.id != path.stem:
        raise RubricError(f"{path}: id {rubric.id!r} must match the file name {path.stem!r}")
    return rubric


def load_rubric(path: Path) -> Rubric:
    return parse_rubric(path.read_bytes(), path)


def load_rubrics(directory: Path) -> dict[str, Rubric]:
    """Every `*.yaml` rubric in a directory, by id."""
    rubrics = {}
    for path in sorted(directory.glob("*.yaml")):
        rubric = load_rubric(path)
        rubrics[rubric.id] = rubric
    if not rubrics:
        raise RubricError(f"{directory}: no rubric files (*.yaml) found")
    return rubrics


def rubric_json_schema() -> dict[str, Any]:
    schema = Rubric.model_json_schema(by_alias=True)
    schema["properties"].pop("version", None)
    schema["title"] = "Interview Coach rubric"
    return schema
