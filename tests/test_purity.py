"""The dialogue core imports no engine, no audio library and not click; --help and list stay
light. Checked two ways: what a fresh interpreter has loaded, and every import statement."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "companion"
ENGINES = {
    "pyttsx3",
    "speech_recognition",
    "pocketsphinx",
    "sounddevice",
    "pyaudio",
    "numpy",
    "simpleaudio",
    "vosk",
    "whisper",
}
PURE = [
    "companion.dialogue",
    "companion.breathing.schedule",
    "companion.sessions",
    "companion.content",
]
PURE_FOLDERS = [
    PACKAGE / "dialogue",
    PACKAGE / "breathing" / "schedule.py",
    PACKAGE / "sessions.py",
    PACKAGE / "content",
]


def loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, check=True, text=True, timeout=60
    ).stdout
    return {name.split(".")[0] for name in json.loads(out.splitlines()[-1])} | set(
        json.loads(out.splitlines()[-1])
    )


def test_the_pure_core_loads_no_engine_and_not_click() -> None:
    modules = [
        str(p.relative_to(PACKAGE.parent).with_suffix("")).replace("/", ".")
        for folder in PURE_FOLDERS
        for p in ([folder] if folder.is_file() else sorted(folder.rglob("*.py")))
    ]
    code = "\n".join(f"import {m.removesuffix('.__init__')}" for m in modules)
    code += "\nfrom companion.content.loader import load_content; load_content()"
    loaded = loaded_after(code)
    assert not loaded & (ENGINES | {"click"})
    assert not {"companion.voice", "companion.listen", "companion.app", "companion.cli"} & loaded


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path",
    [
        p
        for folder in PURE_FOLDERS
        for p in ([folder] if folder.is_file() else sorted(folder.rglob("*.py")))
    ],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_import_statement_in_the_core_names_an_engine(path: Path) -> None:
    """Also catches imports inside functions, which a load check would miss."""
    for name in _imports(path):
        top = name.split(".")[0]
        assert top not in ENGINES | {"click"}, f"{path.name} imports {name}"
        assert not name.startswith(
            ("companion.voice", "companion.listen", "companion.app", "companion.cli")
        ), f"{path.name} imports {name}"


def test_help_loads_nothing_but_click() -> None:
    loaded = loaded_after(
        "from companion.cli import cli\n"
        "try:\n    cli.main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    )
    assert not loaded & ENGINES
    assert not {"companion.content", "companion.dialogue", "tomllib"} & loaded


def test_list_loads_no_engine() -> None:
    loaded = loaded_after(
        "from companion.cli import cli\n"
        "try:\n    cli.main(['list'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    )
    assert "companion.content" in loaded  # it did run
    assert not loaded & ENGINES


@pytest.mark.parametrize(
    ("given", "expected"), [(None, "1"), ("2", "2")], ids=["unset-is-one", "set-is-kept"]
)
def test_numpy_gets_one_blas_thread_unless_told(given: str | None, expected: str) -> None:
    # Said before numpy loads: importing the recogniser's numpy code must see it.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    probe = (
        "import companion.listen.verifier, os, sys\n"
        "assert 'numpy' in sys.modules\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.stdout.strip() == expected, out.stderr
