"""Load the TOML content into the typed model in `model.py`, checking every key on the way.

Every problem becomes a `ContentError` naming the file and the key (`questions[2].theme`), with a
"did you mean" for misspelled keys. The conversion is driven by the dataclasses' type hints, so
the model is the schema and there is no second copy of it here.
"""

from __future__ import annotations

import dataclasses
import difflib
import string
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from companion.content import model
from companion.errors import ContentError

DATA_DIR = Path(__file__).parent / "data"

# Question sets in catalogue order: `companion reflect` runs the first one.
CHECK_SETS = ("self-check", "signs", "relationships", "balance", "seek-help")

T = TypeVar("T")

# Placeholders each template may use; any other name in braces is an error.
_TEMPLATES: dict[type, dict[str, frozenset[str]]] = {
    model.SummaryPhrases: {
        "said_yes": frozenset({"themes"}),
        "said_unsure": frozenset({"themes"}),
        "said_yes_and_unsure": frozenset({"yes", "unsure"}),
        "and_more": frozenset({"count"}),
        "next_step": frozenset({"suggestion"}),
    },
    model.Phrases: {
        "no_answer": frozenset({"short"}),
        "unclear": frozenset({"short"}),
        "phrase_options_voice": frozenset({"phrase"}),
        "phrase_options_keys": frozenset({"phrase"}),
        "heard": frozenset({"text"}),
        "how_phrase_voice": frozenset({"phrase"}),
        "how_phrase_keys": frozenset({"phrase"}),
    },
    model.Cue: {"first": frozenset({"seconds"})},
}


class _Where:
    """A file and a key path inside it, for error messages."""

    def __init__(self, file: str, key: str = "") -> None:
        self.file = file
        self.key = key

    def child(self, name: str | int) -> _Where:
        if isinstance(name, int):
            return _Where(self.file, f"{self.key}[{name}]")
        return _Where(self.file, f"{self.key}.{name}" if self.key else name)

    def error(self, problem: str) -> ContentError:
        return ContentError(self.file, self.key, problem)


def _type_name(value: object) -> str:
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _convert(tp: Any, value: object, where: _Where) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _build(tp, value, where)
    if origin is typing.Literal:
        if value not in args:
            allowed = ", ".join(repr(a) for a in args if a != "")
            raise where.error(f"must be one of {allowed}, not {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise where.error(f"must be a list, not {_type_name(value)}")
        return tuple(_convert(args[0], item, where.child(i)) for i, item in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise where.error(f"must be a table, not {_type_name(value)}")
        return {k: _convert(args[1], v, where.child(k)) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        raise TypeError(f"unions are not supported in the content model: {tp}")
    if tp is bool:
        if not isinstance(value, bool):
            raise where.error(f"must be true or false, not {_type_name(value)}")
        return value
    if tp is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise where.error(f"must be a whole number, not {_type_name(value)}")
        return value
    if tp is float:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise where.error(f"must be a number, not {_type_name(value)}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise where.error(f"must be text, not {_type_name(value)}")
        return value.strip()
    raise TypeError(f"unsupported type in the content model: {tp}")


def _build(cls: type[T], value: object, where: _Where) -> T:
    if not isinstance(value, dict):
        raise where.error(f"must be a table, not {_type_name(value)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in value:
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise where.child(key).error(f"unknown key{hint}")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in value:
            no_default = (
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            )
            if no_default:
                raise where.child(name).error("missing")
            continue
        converted = _convert(hints[name], value[name], where.child(name))
        if converted == "" and hints[name] is str:
            raise where.child(name).error("must not be empty")
        kwargs[name] = converted
    _check_templates(cls, kwargs, where)
    return cls(**kwargs)


def _check_templates(cls: type, values: Mapping[str, Any], where: _Where) -> None:
    templated = _TEMPLATES.get(cls, {})
    for name, text in values.items():
        if not isinstance(text, str):
            continue
        allowed = templated.get(name, frozenset())
        try:
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as e:
            raise where.child(name).error(f"has a stray brace: {e}") from None
        unknown = used - allowed
        if unknown:
            known = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
            bad = ", ".join("{" + u + "}" for u in sorted(unknown))
            raise where.child(name).error(f"unknown placeholder {bad}; this text may use {known}")


def _unique(items: Iterable[Any], where: _Where, what: str = "id") -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        key = getattr(item, what)
        if key in seen:
            raise where.child(i).child(what).error(f"{key!r} is used twice")
        seen.add(key)


def read_toml(path: Path, shown: str | None = None) -> tuple[dict[str, Any], str]:
    """Read one TOML file; any problem is a ContentError naming the file."""
    name = shown or str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ContentError(name, "", "no such file") from None
    except IsADirectoryError:
        raise ContentError(name, "", "is a folder, not a TOML file") from None
    except OSError as e:
        raise ContentError(name, "", f"cannot be read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise ContentError(name, "", "is not UTF-8 text") from None
    try:
        return tomllib.loads(text), name
    except tomllib.TOMLDecodeError as e:
        raise ContentError(name, "", f"is not valid TOML: {e}") from None


def load_file(cls: type[T], path: Path, shown: str | None = None) -> T:
    data, name = read_toml(path, shown)
    return _build(cls, data, _Where(name))


def check_question_set(qs: model.QuestionSet, name: str, healing: model.Healing) -> None:
    where = _Where(name, "questions")
    if not qs.questions:
        raise where.error("must list at least one question")
    _unique(qs.questions, where)
    steps = {s.id for s in healing.steps}
    for i, q in enumerate(qs.questions):
        if q.step and q.step not in steps:
            raise (
                where.child(i)
                .child("step")
                .error(f"unknown healing step {q.step!r}; known steps: {', '.join(sorted(steps))}")
            )


def load_question_set(
    path: Path, healing: model.Healing, shown: str | None = None
) -> model.QuestionSet:
    name = shown or str(path)
    qs = load_file(model.QuestionSet, path, name)
    check_question_set(qs, name, healing)
    return qs


def _check_healing(h: model.Healing, name: str) -> None:
    where = _Where(name, "steps")
    _unique(h.steps, where)
    ids = {s.id for s in h.steps}
    if h.default_step not in ids:
        raise _Where(name, "default_step").error(f"{h.default_step!r} is not one of the steps")
    for i, s in enumerate(h.steps):
        if not s.suggestions:
            raise where.child(i).child("suggestions").error("must list at least one suggestion")


def _check_breathing(b: model.Breathing, name: str) -> None:
    where = _Where(name, "patterns")
    _unique(b.patterns, where)
    if b.default_pattern not in {p.id for p in b.patterns}:
        raise _Where(name, "default_pattern").error(f"{b.default_pattern!r} is not a pattern")
    if not 0 < b.default_minutes <= 60:
        raise _Where(name, "default_minutes").error("must be between 0 and 60")
    for i, p in enumerate(b.patterns):
        if not p.phases:
            raise where.child(i).child("phases").error("must list at least one phase")
        for j, ph in enumerate(p.phases):
            if not 0 < ph.seconds <= 60:
                raise (
                    where.child(i)
                    .child("phases")
                    .child(j)
                    .child("seconds")
                    .error("must be more than 0 and at most 60")
                )
            if ph.kind not in b.cues:
                raise _Where(name, "cues").error(f"has no cue for the phase {ph.kind!r}")


def _check_prompts(prompts: tuple[model.Prompt, ...], where: _Where, what: str) -> None:
    if not prompts:
        raise where.error(f"must list at least one {what}")
    _unique(prompts, where)
    for i, p in enumerate(prompts):
        if not 1 <= p.pause_seconds <= 600:
            raise where.child(i).child("pause_seconds").error("must be between 1 and 600")


def _check_journal(j: model.Journal, name: str) -> None:
    _check_prompts(j.prompts, _Where(name, "prompts"), "prompt")


def _check_grounding(g: model.Grounding, name: str) -> None:
    _check_prompts(g.steps, _Where(name, "steps"), "step")


def _check_practice(p: model.Practice, name: str) -> None:
    if not p.scenarios:
        raise _Where(name, "scenarios").error("must list at least one scenario")
    _unique(p.scenarios, _Where(name, "scenarios"))


def _check_helplines(h: model.Helplines, name: str) -> None:
    if h.default_region not in h.regions:
        raise _Where(name, "default_region").error(f"{h.default_region!r} is not in regions")


def load_helplines(path: Path, shown: str | None = None) -> model.Helplines:
    name = shown or str(path)
    h = load_file(model.Helplines, path, name)
    _check_helplines(h, name)
    return h


def _shown(path: Path) -> str:
    """Packaged files are named from the package, the way a developer finds them."""
    return f"companion/content/data/{path.name}"


# What `--content FILE.toml` replaces, by command: a person's own file of the same schema.
OWN_KINDS = ("check", "receive", "journal", "breathing", "grounding")


def load_content(
    own: Mapping[str, Path] | None = None,
    helplines: Path | None = None,
    data_dir: Path = DATA_DIR,
) -> model.Content:
    """Load and check every packaged file. `own` maps a kind in OWN_KINDS to a person's own
    file: "check" adds a question set (its id is the file's stem); the others replace the
    packaged receive, journal or breathing file. `helplines` replaces the helplines table."""
    own = dict(own or {})
    unknown = set(own) - set(OWN_KINDS)
    if unknown:
        raise ValueError(f"unknown content kinds: {sorted(unknown)}")
    files: dict[str, str] = {}

    def pick(stem: str, kind: str = "") -> tuple[Path, str]:
        if kind in own:
            files[stem] = str(own[kind])
            return own[kind], str(own[kind])
        path = data_dir / f"{stem}.toml"
        files[stem] = str(path)
        return path, _shown(path)

    path, name = pick("healing")
    healing = load_file(model.Healing, path, name)
    _check_healing(healing, name)

    checks: dict[str, model.QuestionSet] = {}
    for stem in CHECK_SETS:
        path, name = pick(stem)
        checks[stem] = load_question_set(path, healing, name)
    if "check" in own:
        stem = own["check"].stem
        files[stem] = str(own["check"])
        checks[stem] = load_question_set(own["check"], healing)

    path, name = pick("receive", "receive")
    practice = load_file(model.Practice, path, name)
    _check_practice(practice, name)

    path, name = pick("journal", "journal")
    journal = load_file(model.Journal, path, name)
    _check_journal(journal, name)

    path, name = pick("breathing", "breathing")
    breathing = load_file(model.Breathing, path, name)
    _check_breathing(breathing, name)

    path, name = pick("grounding", "grounding")
    grounding = load_file(model.Grounding, path, name)
    _check_grounding(grounding, name)

    path, name = pick("summary")
    summary = load_file(model.SummaryPhrases, path, name)
    path, name = pick("phrases")
    phrases = load_file(model.Phrases, path, name)

    if helplines is None:
        path, name = pick("helplines")
        help_table = load_helplines(path, name)
    else:
        files["helplines"] = str(helplines)
        help_table = load_helplines(helplines)

    return model.Content(
        checks=checks,
        healing=healing,
        practice=practice,
        journal=journal,
        breathing=breathing,
        grounding=grounding,
        summary=summary,
        phrases=phrases,
        helplines=help_table,
        files=files,
    )
