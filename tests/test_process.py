"""The installed `companion` command in real processes: pipes, a real pseudo-terminal with
single key presses and a real Ctrl-C, a full disk. No fakes."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import subprocess
import termios
import time
from collections.abc import Callable

import pytest

from companion.content.model import Content
from tests.conftest import FIXTURES, companion_command

pytestmark = pytest.mark.subprocess
TWO = str(FIXTURES / "two-questions.toml")


def run(
    args: list[str], stdin: bytes = b"", **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*companion_command(), *args], input=stdin, capture_output=True, timeout=60, **kwargs
    )


def test_piped_answers_done_when(content: Content) -> None:
    """printf 'y\\nn\\ny\\nu\\ny\\n' | companion reflect --input keys --text-only"""
    done = run(["reflect", "--input", "keys", "--text-only"], b"y\nn\ny\nu\ny\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    questions = content.checks["self-check"].questions
    for q in questions:
        assert q.text in out
    summary = next(line for line in out.splitlines() if line.startswith("Thank you for taking"))
    assert content.summary.not_diagnosis in summary
    assert all(questions[i].theme in summary for i in (0, 2, 4))
    assert questions[1].theme not in summary
    assert done.stderr == b""


def test_version_and_help_run_as_a_program() -> None:
    assert run(["--version"]).stdout.decode().startswith("companion ")
    assert b"reflect" in run(["--help"]).stdout


def test_a_full_disk_is_one_line_not_a_traceback() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [*companion_command(), "list"], stdout=full, stderr=subprocess.PIPE, timeout=60
        )
    assert done.returncode == 1
    assert done.stderr.decode() == "companion: could not write: the disk is full\n"


def test_a_missing_content_file_is_one_line() -> None:
    done = run(["reflect", "--content", "/nonexistent/mine.toml", "--text-only"])
    assert done.returncode == 3
    assert done.stderr.decode() == "companion: /nonexistent/mine.toml: no such file\n"


# -- a real terminal ----------------------------------------------------------------------------


class Terminal:
    """The program on a pseudo-terminal that is its controlling terminal, as in a real shell."""

    def __init__(self, args: list[str]) -> None:
        self.main, self.secondary = pty.openpty()
        self.saved = termios.tcgetattr(self.secondary)

        def become_controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            [*companion_command(), *args],
            stdin=self.secondary,
            stdout=self.secondary,
            stderr=self.secondary,
            preexec_fn=become_controlling_terminal,
        )
        self.output = ""

    def read_until(self, done: Callable[[str], bool], seconds: float = 20) -> str:
        deadline = time.monotonic() + seconds
        while not done(self.output) and time.monotonic() < deadline:
            ready, _, _ = select.select([self.main], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.main, 4096).decode("utf-8", "replace")
                except OSError:
                    break
        return self.output

    def wait_for(self, text: str) -> None:
        self.read_until(lambda out: text in out)
        assert text in self.output, f"never saw {text!r} in:\n{self.output}"

    def press(self, keys: bytes) -> None:
        os.write(self.main, keys)

    def finish(self) -> int:
        code = self.process.wait(timeout=20)
        self.read_until(lambda out: False, seconds=0.3)
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.main)
        os.close(self.secondary)


@pytest.fixture
def terminal() -> Callable[[list[str]], Terminal]:
    opened: list[Terminal] = []

    def start(args: list[str]) -> Terminal:
        opened.append(Terminal(args))
        return opened[-1]

    yield start  # type: ignore[misc]
    for t in opened:
        t.close()


def test_single_key_presses_without_enter(terminal: Callable[[list[str]], Terminal]) -> None:
    t = terminal(["reflect", "--content", TWO, "--input", "keys", "--text-only"])
    t.wait_for("Do you find it hard to ask for help?")
    t.press(b"u")
    t.wait_for("Do you carry most things alone?")
    t.press(b"y")
    assert t.finish() == 0
    assert "You: not sure" in t.output
    assert "You said yes to carrying things alone" in t.output
    assert termios.tcgetattr(t.secondary) == t.saved  # the terminal is as it was


def test_colour_terminal_shows_questions_in_bold_and_no_color_turns_it_off(
    terminal: Callable[[list[str]], Terminal], monkeypatch: pytest.MonkeyPatch
) -> None:
    t = terminal(["reflect", "--content", TWO, "--input", "keys", "--text-only"])
    t.wait_for("help?")
    t.press(b"q")
    t.finish()
    assert "\x1b[1mDo you find it hard to ask for help?\x1b[0m" in t.output
    monkeypatch.setenv("NO_COLOR", "1")
    t = terminal(["reflect", "--content", TWO, "--input", "keys", "--text-only"])
    t.wait_for("help?")
    t.press(b"q")
    t.finish()
    assert "\x1b[" not in t.output


def test_ctrl_c_on_a_terminal_says_goodbye_and_exits_130(
    terminal: Callable[[list[str]], Terminal],
) -> None:
    t = terminal(["reflect", "--content", TWO, "--input", "keys", "--text-only"])
    t.wait_for("Do you find it hard to ask for help?")
    t.press(b"\x03")  # the terminal turns this into SIGINT, as in a shell
    assert t.finish() == 130
    assert t.output.rstrip().endswith("Stopped. Take good care.")
    assert "Traceback" not in t.output
    assert termios.tcgetattr(t.secondary) == t.saved


def test_sigint_while_piped_is_also_a_goodbye() -> None:
    process = subprocess.Popen(
        [*companion_command(), "reflect", "--input", "keys", "--text-only"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = ""
    while "?" not in line:  # wait for the first question
        line = process.stdout.readline().decode()
        assert line, "the program ended before asking"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert out.decode().endswith("Stopped. Take good care.\n")
    assert b"Traceback" not in err
    assert process.stdin is not None
    process.stdin.close()
