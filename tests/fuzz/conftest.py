"""Prints the inputs each fuzz target executed, and writes them to ``$TRACEHOUND_FUZZ_SUMMARY``."""

from __future__ import annotations

import pytest

from fuzz import _harness


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not sum(_harness.inputs.values()):
        return
    terminalreporter.section("fuzz inputs executed")
    for line in _harness.summary_lines():
        terminalreporter.write_line(line)
    _harness.write_summary()
