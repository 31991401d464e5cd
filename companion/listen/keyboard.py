"""The keyboard listener: the first real Listener.

On a terminal, single key presses without Enter (y, n, u, r, s, b, p, h or ?, q, + and -, the up
and down arrows for volume). Otherwise one answer per line, so answers can be piped in:
`printf 'y\\nn\\n' | companion reflect --input keys`. Typed words work too ("not sure", "repeat").
"""

from __future__ import annotations

import os
import select
import sys
from types import TracebackType
from typing import Any, BinaryIO, TextIO

from companion.dialogue.protocols import Command, Expect, Heard, InputMode, Miss
from companion.dialogue.understand import interpret

ARROWS = {b"\x1b[A": Command.LOUDER, b"\x1b[B": Command.SOFTER}
CTRL_D = b"\x04"


class LineListener:
    """One answer per line from a pipe, a file or any text stream."""

    mode: InputMode = "keys"

    def __init__(self, stream: TextIO | BinaryIO) -> None:
        self.stream = stream
        self._fd = _fileno(stream)
        self._buffer = b""
        self._eof = False

    def __enter__(self) -> LineListener:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def listen(self, expect: Expect, timeout: float | None) -> Heard:
        line = self._readline(timeout)
        if line is None:
            return Heard(Miss.ENDED) if self._eof else Heard(Miss.SILENCE)
        return interpret(line.rstrip("\r\n"), expect)

    def _readline(self, timeout: float | None) -> str | None:
        if self._fd is None:  # no file descriptor (an in-memory stream): plain blocking reads
            line = self.stream.readline()
            text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
            if not text:
                self._eof = True
                return None
            return text
        # Our own buffering over the descriptor, so select() sees exactly what is unread.
        while b"\n" not in self._buffer and not self._eof:
            ready, _, _ = select.select([self._fd], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self._fd, 4096)
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True
        if b"\n" in self._buffer:
            line, _, self._buffer = self._buffer.partition(b"\n")
        elif self._buffer:
            line, self._buffer = self._buffer, b""
        else:
            return None
        return line.decode("utf-8", "replace")


class KeyListener:
    """Single key presses on a terminal. Use as a context manager: it puts the terminal in
    cbreak mode (keys arrive without Enter, not echoed; Ctrl-C still interrupts) and always
    puts it back."""

    mode: InputMode = "keys"

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None
        self._pending = b""

    def __enter__(self) -> KeyListener:
        import termios
        import tty

        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd, termios.TCSANOW)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        import termios

        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def pending(self) -> bool:
        """Is a key press waiting? (Speech stops for it: barge-in.)"""
        if self._pending:
            return True
        ready, _, _ = select.select([self.fd], [], [], 0)
        return bool(ready)

    def listen(self, expect: Expect, timeout: float | None) -> Heard:
        key = self._key(timeout)
        if key is None:
            return Heard(Miss.SILENCE)
        if key == CTRL_D:
            return Heard(Miss.ENDED)
        if key in ARROWS:
            return Heard(ARROWS[key], str(ARROWS[key]))
        if key.startswith(b"\x1b"):
            return Heard(Miss.UNCLEAR, "")  # another special key: not an answer
        return interpret(key.decode("utf-8", "replace"), expect)

    def _key(self, timeout: float | None) -> bytes | None:
        if not self._pending:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return None
            self._pending = os.read(self.fd, 64)
            if not self._pending:
                return CTRL_D  # the terminal went away
        # One key at a time: an escape sequence, one UTF-8 character, or one byte.
        if self._pending.startswith(b"\x1b[") and len(self._pending) >= 3:
            key, self._pending = self._pending[:3], self._pending[3:]
            return key
        first = self._pending[0]
        size = 1 if first < 0x80 else 2 if first < 0xE0 else 3 if first < 0xF0 else 4
        key, self._pending = self._pending[:size], self._pending[size:]
        return key


def _fileno(stream: object) -> int | None:
    try:
        return int(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None


def keyboard_listener(stream: TextIO | None = None) -> KeyListener | LineListener:
    """Single keys when the stream is a terminal, one answer per line otherwise."""
    stream = stream if stream is not None else sys.stdin
    fd = _fileno(stream)
    if fd is not None and os.isatty(fd):
        return KeyListener(fd)
    return LineListener(stream)
