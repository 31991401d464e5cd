"""Every content file loads, and every kind of mistake is named by file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from companion.content import loader
from companion.content.loader import CHECK_SETS, DATA_DIR, load_content
from companion.content.model import Content
from companion.errors import ContentError, ExitCode
from tests.conftest import FIXTURES

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "sources"


def test_every_packaged_file_loads(content: Content) -> None:
    assert list(content.checks) == list(CHECK_SETS)
    assert len(content.checks["self-check"].questions) == 5
    assert {p.id for p in content.breathing.patterns} >= {
        "box",
        "4-7-8",
        "resonance",
        "longer-exhale",
        "cyclic-sigh",
    }
    assert content.practice.phrase == "thank you"
    assert len(content.journal.prompts) >= 3
    assert {s.id for s in content.healing.steps} >= {
        "recognise-source",
        "redefine-strength",
        "tiny-risks",
        "therapist",
        "receiving",
    }
    assert "default" in content.helplines.regions


def test_every_data_file_is_used() -> None:
    on_disk = {p.stem for p in DATA_DIR.glob("*.toml")}
    assert on_disk == set(load_content().files)


def test_balance_has_both_leanings(content: Content) -> None:
    leans = {q.lean for q in content.checks["balance"].questions}
    assert leans == {"independent", "dependent"}


def test_seek_help_questions_are_marked(content: Content) -> None:
    assert all(q.seek_help for q in content.checks["seek-help"].questions)
    others = [q for s in CHECK_SETS if s != "seek-help" for q in content.checks[s].questions]
    assert not any(q.seek_help for q in others)


@pytest.mark.parametrize(
    ("pattern_id", "seconds"),
    [
        ("box", [4, 4, 4, 4]),
        ("4-7-8", [4, 7, 8]),
        ("resonance", [5.5, 5.5]),
        ("longer-exhale", [4, 6]),
    ],
    ids=["box", "4-7-8", "resonance", "longer-exhale"],
)
def test_breathing_patterns_have_their_timings(
    content: Content, pattern_id: str, seconds: list[float]
) -> None:
    pattern = next(p for p in content.breathing.patterns if p.id == pattern_id)
    assert [ph.seconds for ph in pattern.phases] == seconds


def test_cyclic_sigh_is_two_inhales_then_a_long_exhale(content: Content) -> None:
    pattern = next(p for p in content.breathing.patterns if p.id == "cyclic-sigh")
    kinds = [ph.kind for ph in pattern.phases]
    assert kinds == ["in", "top", "out"]
    assert pattern.phases[2].seconds > pattern.phases[0].seconds + pattern.phases[1].seconds


def _six_grams(text: str) -> set[tuple[str, ...]]:
    import re

    words = re.findall(r"[a-z']+", text.lower().replace("\u2019", "'"))
    return {tuple(words[i : i + 6]) for i in range(len(words) - 5)}


@pytest.mark.skipif(
    not SOURCES.is_dir(), reason="../shared/sources is only beside the dev checkout"
)
def test_content_is_in_our_own_words() -> None:
    """No run of six words from the source articles appears in the spoken content."""
    sources: set[tuple[str, ...]] = set()
    for path in SOURCES.glob("*.txt"):
        sources |= _six_grams(path.read_text(encoding="utf-8"))
    for path in DATA_DIR.glob("*.toml"):
        shared = _six_grams(path.read_text(encoding="utf-8")) & sources
        assert not shared, f"{path.name} repeats the sources: {sorted(shared)[:3]}"


# -- broken files -----------------------------------------------------------------------------

BROKEN = [
    ("not toml", "title = \n", "", "is not valid TOML"),
    ("missing key", 'title = "t"\ndescription = "d"\nintro = []\n', "questions", "missing"),
    (
        "misspelled key",
        'title = "t"\ndescription = "d"\nintro = []\n[[qestions]]\nid = "a"\n',
        "qestions",
        "unknown key (did you mean 'questions'?)",
    ),
    (
        "wrong type",
        'title = "t"\ndescription = "d"\nintro = "hello"\n[[questions]]\nid="a"\ntext="?"\n'
        'short="?"\ntheme="t"\n',
        "intro",
        "must be a list, not text",
    ),
    (
        "misspelled nested key",
        'title = "t"\ndescription = "d"\nintro = []\n[[questions]]\nid="a"\ntext="?"\n'
        'short="?"\ntheme="t"\nsetp="tiny-risks"\n',
        "questions[0].setp",
        "unknown key (did you mean 'step'?)",
    ),
    (
        "empty text",
        'title = "t"\ndescription = "d"\nintro = []\n[[questions]]\nid="a"\ntext="  "\n'
        'short="?"\ntheme="t"\n',
        "questions[0].text",
        "must not be empty",
    ),
    (
        "unknown step",
        'title = "t"\ndescription = "d"\nintro = []\n[[questions]]\nid="a"\ntext="?"\n'
        'short="?"\ntheme="t"\nstep="courage"\n',
        "questions[0].step",
        "unknown healing step 'courage'",
    ),
    (
        "bad lean",
        'title = "t"\ndescription = "d"\nintro = []\n[[questions]]\nid="a"\ntext="?"\n'
        'short="?"\ntheme="t"\nlean="sideways"\n',
        "questions[0].lean",
        "must be one of 'independent', 'dependent', not 'sideways'",
    ),
    (
        "duplicate id",
        'title = "t"\ndescription = "d"\nintro = []\n'
        '[[questions]]\nid="a"\ntext="?"\nshort="?"\ntheme="t"\n'
        '[[questions]]\nid="a"\ntext="?"\nshort="?"\ntheme="t"\n',
        "questions[1].id",
        "'a' is used twice",
    ),
    (
        "no questions",
        'title = "t"\ndescription = "d"\nintro = []\nquestions = []\n',
        "questions",
        "must list at least one question",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "problem"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_a_broken_question_set_names_file_and_key(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content({"check": path})
    error = caught.value
    assert error.file == str(path)
    assert error.key == key
    assert problem in error.problem
    assert error.exit_code is ExitCode.CONTENT
    assert str(error).startswith(f"{path}: {key}" if key else f"{path}: ")


@pytest.mark.parametrize(
    ("name", "find", "replace", "key", "problem"),
    [
        (
            "summary",
            'said_yes = "You said yes to {themes}."',
            'said_yes = "You said yes to {theme}."',
            "said_yes",
            "unknown placeholder {theme}; this text may use {themes}",
        ),
        ("phrases", 'heard = "You: {text}"', 'heard = "You: {text"', "heard", "has a stray brace"),
        (
            "breathing",
            'default_pattern = "longer-exhale"',
            'default_pattern = "square"',
            "default_pattern",
            "'square' is not a pattern",
        ),
        (
            "breathing",
            '{ kind = "in", seconds = 4 },',
            '{ kind = "in", seconds = 0 },',
            "patterns[0].phases[0].seconds",
            "must be more than 0",
        ),
        (
            "healing",
            'default_step = "tiny-risks"',
            'default_step = "courage"',
            "default_step",
            "'courage' is not one of the steps",
        ),
        (
            "journal",
            "pause_seconds = 60",
            "pause_seconds = 6000",
            "prompts[0].pause_seconds",
            "must be between 1 and 600",
        ),
        (
            "helplines",
            'default_region = "default"',
            'default_region = "XX"',
            "default_region",
            "'XX' is not in regions",
        ),
        (
            "receive",
            'phrase = "thank you"',
            "phrase = 7",
            "phrase",
            "must be text, not a whole number",
        ),
    ],
    ids=["placeholder", "brace", "pattern", "seconds", "step", "pause", "region", "type"],
)
def test_a_broken_packaged_file_names_file_and_key(
    tmp_path: Path, name: str, find: str, replace: str, key: str, problem: str
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    assert find in text, "the test's anchor text is missing from the content file"
    path.write_text(text.replace(find, replace, 1), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(data_dir=data)
    assert caught.value.file == f"companion/content/data/{name}.toml"
    assert caught.value.key == key
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("setup", "problem"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: p.write_bytes(b'title = "\xff"\n'), "is not UTF-8 text"),
    ],
    ids=["missing", "folder", "not-utf8"],
)
def test_an_unreadable_file_is_named(tmp_path: Path, setup: object, problem: str) -> None:
    path = tmp_path / "mine.toml"
    setup(path)  # type: ignore[operator]
    with pytest.raises(ContentError, match=problem):
        load_content({"check": path})


def test_own_files_of_every_kind_use_the_same_schema(tmp_path: Path) -> None:
    for kind, stem in (("receive", "receive"), ("journal", "journal"), ("breathing", "breathing")):
        own = tmp_path / f"my-{stem}.toml"
        shutil.copy(DATA_DIR / f"{stem}.toml", own)
        assert load_content({kind: own}).files[stem] == str(own)
    own = FIXTURES / "two-questions.toml"
    assert len(load_content({"check": own}).checks["two-questions"].questions) == 2


def test_the_example_in_the_readme_loads() -> None:
    root = Path(__file__).resolve().parent.parent
    content = load_content({"check": root / "examples" / "my-questions.toml"})
    assert "my-questions" in content.checks


def test_unknown_own_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        loader.load_content({"poems": Path("x.toml")})
