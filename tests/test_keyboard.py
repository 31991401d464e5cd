"""The keyboard listener on real pipes and a real pseudo-terminal (no fakes)."""

from __future__ import annotations

import contextlib
import io
import os
import pty
import termios
import time
from collections.abc import Iterator

import pytest

from companion.dialogue.protocols import NEXT, YES_NO, Answer, Command, Expect, Miss
from companion.listen.keyboard import KeyListener, LineListener, keyboard_listener


@pytest.fixture
def pipe() -> Iterator[tuple[io.FileIO, int]]:
    """A real pipe: the reading end as a file, the writing end as a descriptor."""
    r, w = os.pipe()
    reader = io.FileIO(r, "rb")
    yield reader, w
    reader.close()
    with contextlib.suppress(OSError):  # the test may have closed it to end the input
        os.close(w)


def test_lines_from_a_pipe(pipe: tuple[io.FileIO, int]) -> None:
    r, w = pipe
    os.write(w, b"y\nnot sure\nrepeat\n")
    os.close(w)
    listener = LineListener(r)
    heard = [listener.listen(YES_NO, 1.0).value for _ in range(4)]
    assert heard == [Answer.YES, Answer.UNSURE, Command.REPEAT, Miss.ENDED]


def test_a_pipe_with_nothing_yet_times_out_as_silence(pipe: tuple[io.FileIO, int]) -> None:
    r, w = pipe
    listener = LineListener(r)
    start = time.monotonic()
    assert listener.listen(YES_NO, 0.2).value is Miss.SILENCE
    assert 0.15 <= time.monotonic() - start < 2
    os.write(w, b"n\n")
    assert listener.listen(YES_NO, 1.0).value is Answer.NO


def test_buffered_lines_are_not_hidden_from_select(pipe: tuple[io.FileIO, int]) -> None:
    """Two answers arrive in one write while the writer stays open: both are read at once."""
    r, w = pipe
    os.write(w, b"y\nn\n")
    listener = LineListener(r)
    assert listener.listen(YES_NO, 0.5).value is Answer.YES
    start = time.monotonic()
    assert listener.listen(YES_NO, 5.0).value is Answer.NO
    assert time.monotonic() - start < 1


def test_a_last_line_without_newline_still_counts(pipe: tuple[io.FileIO, int]) -> None:
    r, w = pipe
    os.write(w, b"yes")
    os.close(w)
    listener = LineListener(r)
    assert listener.listen(YES_NO, 1.0).value is Answer.YES
    assert listener.listen(YES_NO, 1.0).value is Miss.ENDED


def test_an_empty_line_is_next_in_a_thinking_pause(pipe: tuple[io.FileIO, int]) -> None:
    r, w = pipe
    os.write(w, b"\n")
    assert LineListener(r).listen(NEXT, 1.0).value is Answer.NEXT


def test_an_in_memory_stream_is_read_line_by_line() -> None:
    listener = LineListener(io.StringIO("u\n"))
    assert listener.listen(YES_NO, 1.0).value is Answer.UNSURE
    assert listener.listen(YES_NO, 1.0).value is Miss.ENDED


def test_the_factory_picks_lines_for_a_pipe_and_keys_for_a_terminal(
    pipe: tuple[io.FileIO, int],
) -> None:
    assert isinstance(keyboard_listener(pipe[0]), LineListener)  # type: ignore[arg-type]
    main, secondary = pty.openpty()
    with io.FileIO(secondary, "rb") as tty_file:
        assert isinstance(keyboard_listener(tty_file), KeyListener)  # type: ignore[arg-type]
    os.close(main)


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    main, secondary = pty.openpty()
    yield main, secondary
    os.close(main)
    os.close(secondary)


def test_single_keys_without_enter_on_a_terminal(terminal: tuple[int, int]) -> None:
    main, secondary = terminal
    with KeyListener(secondary) as listener:
        os.write(main, b"yn?q+")
        heard = [listener.listen(YES_NO, 1.0).value for _ in range(5)]
    assert heard == [Answer.YES, Answer.NO, Command.HELP, Command.STOP, Command.FASTER]


def test_arrow_keys_change_the_volume(terminal: tuple[int, int]) -> None:
    main, secondary = terminal
    with KeyListener(secondary) as listener:
        os.write(main, b"\x1b[A\x1b[B\x1b[C")
        heard = [listener.listen(YES_NO, 1.0).value for _ in range(3)]
    assert heard == [Command.LOUDER, Command.SOFTER, Miss.UNCLEAR]


def test_t_or_enter_says_the_phrase(terminal: tuple[int, int]) -> None:
    main, secondary = terminal
    thanks = Expect("phrase", "thank you")
    with KeyListener(secondary) as listener:
        os.write(main, b"t\r")
        heard = [listener.listen(thanks, 1.0).value for _ in range(2)]
    assert heard == [Answer.PHRASE, Answer.PHRASE]


def test_no_key_is_silence_after_the_timeout(terminal: tuple[int, int]) -> None:
    _, secondary = terminal
    with KeyListener(secondary) as listener:
        assert listener.listen(YES_NO, 0.1).value is Miss.SILENCE


def test_ctrl_d_ends_the_input(terminal: tuple[int, int]) -> None:
    main, secondary = terminal
    with KeyListener(secondary) as listener:
        os.write(main, b"\x04")
        assert listener.listen(YES_NO, 1.0).value is Miss.ENDED


def test_the_terminal_is_restored_even_after_an_interrupt(terminal: tuple[int, int]) -> None:
    _, secondary = terminal
    before = termios.tcgetattr(secondary)
    with pytest.raises(KeyboardInterrupt), KeyListener(secondary):
        during = termios.tcgetattr(secondary)
        assert not during[3] & termios.ICANON  # keys arrive without Enter
        assert not during[3] & termios.ECHO  # and are not echoed
        assert during[3] & termios.ISIG  # Ctrl-C still interrupts
        raise KeyboardInterrupt
    assert termios.tcgetattr(secondary) == before
