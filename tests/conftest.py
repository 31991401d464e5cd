"""Scripted fakes for the pure dialogue, and user paths pointed at temporary folders.

The fakes stand in for people and devices in dialogue tests only; the keyboard listener, the
text speaker and the real process are tested with the real things elsewhere.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from companion.app import Environment
from companion.content.loader import load_content
from companion.content.model import Content
from companion.dialogue.protocols import Expect, Heard, InputMode, Line, Miss, Voice
from companion.dialogue.understand import interpret

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SILENCE = Heard(Miss.SILENCE)
ENDED = Heard(Miss.ENDED)


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(0.0, seconds)


@dataclass
class ScriptedListener:
    """Answers from a script: strings go through the real interpreter, Heard values are given
    as they are, exceptions are raised. SILENCE lets the whole timeout pass on the clock."""

    script: list[str | Heard | BaseException]
    clock: FakeClock | None = None
    mode: InputMode = "keys"
    calls: list[tuple[Expect, float | None]] = field(default_factory=list)

    def listen(self, expect: Expect, timeout: float | None) -> Heard:
        self.calls.append((expect, timeout))
        if not self.script:
            raise AssertionError("the scripted listener ran out of answers")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        heard = item if isinstance(item, Heard) else interpret(item, expect)
        if heard.value is Miss.SILENCE and self.clock is not None and timeout is not None:
            self.clock.sleep(timeout)
        return heard


@dataclass
class RecordingSpeaker:
    """Records each line with the time it was said; speaking takes `seconds_per_word`."""

    clock: FakeClock | None = None
    seconds_per_word: float = 0.0
    lines: list[tuple[float, Line, Voice]] = field(default_factory=list)

    cut_short: set[str] = field(default_factory=set)  # lines the "person" interrupts

    def say(self, line: Line, voice: Voice) -> bool:
        self.lines.append((self.clock.now() if self.clock else 0.0, line, voice))
        if self.clock and line.kind != "heard":
            self.clock.sleep(self.seconds_per_word * len(line.text.split()))
        return line.text not in self.cut_short

    @property
    def texts(self) -> list[str]:
        return [line.text for _, line, _ in self.lines]


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(autouse=True)
def user_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Every test gets its own config, data and cache folders and a plain locale, and shows
    text only: tests that speak ask for it (`monkeypatch.delenv("COMPANION_TEXT_ONLY")`)."""
    paths = {
        "COMPANION_CONFIG_DIR": str(tmp_path / "config"),
        "COMPANION_DATA_DIR": str(tmp_path / "data"),
        "COMPANION_CACHE_DIR": str(tmp_path / "cache"),
        "COMPANION_TEXT_ONLY": "1",
    }
    for key, value in paths.items():
        monkeypatch.setenv(key, value)
    for key in list(os.environ):
        if key.startswith("COMPANION_") and key not in paths:
            monkeypatch.delenv(key)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield paths


def mock_env(
    script: list[str | Heard | BaseException] | None = None,
    *,
    mode: InputMode = "keys",
    environ: dict[str, str] | None = None,
) -> tuple[Environment, ScriptedListener, FakeClock]:
    """An Environment whose listener follows a script and whose clock is fake. Output goes to
    the real text speaker, so CliRunner sees the exact transcript."""
    clock = FakeClock()
    listener = ScriptedListener(list(script or []), clock, mode)
    env = Environment(
        environ={**os.environ, **(environ or {})},
        clock=clock,
        make_listener=lambda env, settings: listener,
    )
    return env, listener, clock


def companion_command() -> list[str]:
    """The installed console script, beside this Python."""
    script = Path(sys.executable).parent / "companion"
    return [str(script)] if script.exists() else [sys.executable, "-m", "companion"]
