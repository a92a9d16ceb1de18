"""The `coach` command: a thin adapter over coach.service and coach.scoring."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from coach.config import Settings
from coach.errors import CoachError, UnknownQuestion
from coach.scoring import Grade, Rubric, check_answer, grade, load_rubric, load_rubrics
from coach.scoring.examples import run_examples
from coach.scoring.rubric import rubric_json_schema

app = typer.Typer(help="Interview Coach: grade free-text AI-infrastructure interview answers.",
                  no_args_is_help=True, add_completion=False)  # fmt: skip
rubrics_app = typer.Typer(help="Validate rubric files and run their example answers.")
app.add_typer(rubrics_app, name="rubrics")


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _rubrics(settings: Settings) -> dict[str, Rubric]:
    return load_rubrics(settings.rubrics_dir)


@app.command()
def questions() -> None:
    """List the questions: id, topic, suggested minutes."""
    try:
        rubrics = _rubrics(Settings())
    except CoachError as exc:
        _fail(exc.message)
    width = max(len(r.id) for r in rubrics.values())
    for r in rubrics.values():
        typer.echo(f"{r.id:<{width}}  {r.suggested_minutes:>2} min  {r.topic}")


def _bar(score: float, width: int = 20) -> str:
    filled = round(score / 100 * width)
    return "#" * filled + "." * (width - filled)


def render_report(result: Grade, rubric: Rubric) -> str:
    """The readable report `coach grade` prints."""
    lines = [
        f"{rubric.title}  (rubric {result.rubric_version})",
        f"Score: {result.score:.0f}/100  [{result.band}]"
        + (f"  capped at {result.cap:.0f}" if result.cap is not None else "")
        + (f"  penalties -{result.penalty_points:g}" if result.penalty_points else ""),
        "",
        "Dimensions:",
    ]
    for dim in result.dimensions.values():
        lines.append(f"  {dim.title:<28} {_bar(dim.score)} {dim.score:5.0f}")
    met = [c for c in result.criteria if c.met]
    missed = [c for c in result.criteria if not c.met]
    lines += ["", f"Met ({len(met)}):"]
    for c in met:
        quotes = "; ".join(f'"{e.text}"' for e in c.evidence[:3])
        lines.append(f"  + {c.description} (+{c.points:g}/{c.max_points:g})  {quotes}")
        if c.note:
            lines.append(f"      {c.note}")
    lines += ["", f"Missed ({len(missed)}):"]
    for c in missed:
        lines.append(f"  - {c.description} (0/{c.max_points:g}): {c.feedback}")
        if c.note:
            lines.append(f"      {c.note}")
    if result.misconceptions:
        lines += ["", "Corrections:"]
        for m in result.misconceptions:
            quotes = "; ".join(f'"{e.text}"' for e in m.evidence[:2])
            lines.append(f"  ! {m.description} (-{m.penalty:g}) {quotes}")
            lines.append(f"      {m.correction}")
    if result.flags:
        lines += ["", "Flags:"]
        lines += [f"  * {f.code}: {f.message}" for f in result.flags]
    return "\n".join(lines)


@app.command("grade")
def grade_command(
    file: Annotated[str, typer.Argument(help="Answer file, or - for standard input.")],
    question: Annotated[str, typer.Option("--question", "-q", help="Question id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Grade as JSON.")] = False,
) -> None:
    """Grade one answer and explain the score."""
    settings = Settings()
    try:
        rubrics = _rubrics(settings)
        if question not in rubrics:
            raise UnknownQuestion(question, rubrics)
        if file == "-":
            raw = sys.stdin.buffer.read(4 * settings.max_answer_chars + 1)
        else:
            path = Path(file)
            if not path.is_file():
                _fail(f"No such answer file: {file}")
            with path.open("rb") as fh:
                raw = fh.read(4 * settings.max_answer_chars + 1)
        answer = check_answer(raw, max_chars=settings.max_answer_chars)
        result = grade(answer, rubrics[question], max_chars=settings.max_answer_chars)
    except CoachError as exc:
        _fail(exc.message)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        typer.echo(render_report(result, rubrics[question]))


@rubrics_app.command("check")
def rubrics_check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Rubric files or folders (default: rubrics/).")
    ] = None,
) -> None:
    """Validate rubric files and grade every example; exit 1 when any fails."""
    targets = paths or [Settings().rubrics_dir]
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            files += sorted(target.glob("*.yaml"))
        elif target.is_file():
            files.append(target)
        else:
            _fail(f"No such rubric file or folder: {target}")
    if not files:
        _fail("No rubric files found.")
    failed = 0
    for path in files:
        try:
            rubric = load_rubric(path)
        except CoachError as exc:
            typer.secho(exc.message, fg=typer.colors.RED)
            failed += 1
            continue
        report = run_examples(rubric)
        typer.echo("\n".join(report.lines()))
        failed += report.failures
    if failed:
        _fail(f"{failed} problem(s) found.")
    typer.secho(f"All {len(files)} rubric file(s) valid; every example in its band.",
                fg=typer.colors.GREEN)  # fmt: skip


@rubrics_app.command("schema")
def rubrics_schema() -> None:
    """Print the rubric JSON Schema (the source of rubrics/rubric.schema.json)."""
    typer.echo(json.dumps(rubric_json_schema(), indent=2))


def main() -> None:
    app()


# Server and database commands (serve, db upgrade/downgrade/current, regrade) live in cli_server.
from coach.cli_server import register as _register_server_commands  # noqa: E402

_register_server_commands(app)

# Reviewer accounts and exports (coach reviewer ..., coach export) live in cli_review.
from coach.cli_review import register as _register_review_commands  # noqa: E402

_register_review_commands(app)
