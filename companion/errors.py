"""Exit codes and the one error type that the command line turns into a clear message."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What `companion` exits with. Documented in the README."""

    OK = 0
    ERROR = 1  # something failed that is not one of the cases below (a full disk, say)
    USAGE = 2  # a bad option or argument (click's own code for usage errors)
    CONTENT = 3  # a content, config or helpline file is missing, unreadable or invalid
    INPUT_ENDED = 4  # standard input closed before the session finished
    NO_DEVICE = 5  # the chosen input or output cannot be used (no microphone, no engine)
    INTERRUPTED = 130  # Ctrl-C


class CompanionError(Exception):
    """An expected failure: shown to the person as one plain line, never a traceback."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0])


class ContentError(CompanionError):
    """A content file is broken. The message names the file and the key."""

    exit_code = ExitCode.CONTENT

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}")
