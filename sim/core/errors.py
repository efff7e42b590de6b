"""Errors raised for bad input: every one names the file, the field and the line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes:
        file: the file's path as the user gave it (or a label such as ``--set``).
        field: dotted path of the offending field (``teams.dialogue.size``), empty for the whole file.
        line: 1-based line number in the file, ``None`` when it has no line (an override).
        message: what is wrong and what was expected.
        message_zh: the same in Chinese, where it has been worded ("" where not).
    """

    file: str
    field: str
    line: int | None
    message: str
    message_zh: str = ""

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        """``file:line: field: message``; in Chinese, where the message has been worded so, the
        English as always (as scripts and searches know it) and the Chinese after it."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        message = f"{self.message} ——{self.message_zh}" if lang == "zh" and self.message_zh \
            else self.message
        return f"{where}:{field} {message}"


class InputError(Exception):
    """Bad input: one or more problems in files or command-line values (exit code 2)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
