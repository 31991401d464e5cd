"""The text speaker: every line of the session as plain text. Always on; the only output with
`--text-only`. Plain lines only: no colour carries meaning, no cursor tricks. On a colour
terminal (not `--screen-reader`, no NO_COLOR) questions are bold, which adds nothing a plain
line lacks.
"""

from __future__ import annotations

from typing import TextIO

from companion.dialogue.protocols import Line, Voice

BOLD, RESET = "\x1b[1m", "\x1b[0m"


class TextSpeaker:
    def __init__(self, out: TextIO, *, styled: bool = False) -> None:
        self.out = out
        self.styled = styled

    def say(self, line: Line, voice: Voice) -> bool:
        text = f"{line.text} {line.detail}" if line.detail else line.text
        if self.styled and line.kind in ("ask", "summary"):
            text = f"{BOLD}{text}{RESET}"
        self.out.write(text + "\n")
        self.out.flush()
        return True
