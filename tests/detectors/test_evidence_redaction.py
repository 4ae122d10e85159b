"""Detection evidence is redacted before it is cut to a window, so a card number next to the
attack text (glued to it, or split by the window's edge) never shows, in full or in part."""

from __future__ import annotations

import re

import pytest

from conftest import detections
from tracehound.detectors._evidence import MAX_EVIDENCE, evidence
from tracehound.model import DetectionType
from tracehound.model.redaction import mask_digit_runs

CARD = "4532015112830366"
SQLI = "1' OR '1'='1"


def _card_runs(text: str) -> list[str]:
    """Runs of 12 or more digits in ``text`` that are a piece of the card (or contain one)."""
    return [run for run in re.findall(r"\d{12,}", text) if run in CARD or CARD[:12] in run or CARD[-12:] in run]


def _sqli_evidence(value: str) -> str:
    found = [d for d in detections(value) if d.type is DetectionType.SQLI]
    assert found, value
    return found[0].evidence


@pytest.mark.parametrize("spaces", range(9))
def test_card_after_sqli_is_masked_whatever_the_gap(spaces: int) -> None:
    value = SQLI + " " * spaces + CARD
    ev = _sqli_evidence(value)
    assert SQLI in ev, ev
    assert not _card_runs(ev), ev
    assert re.search(r"\d{12,}", ev) is None, ev
    assert len(ev) <= MAX_EVIDENCE


def test_card_glued_to_sqli_is_masked() -> None:
    value = "1' OR '1'='14532015112830366"  # 17 digits: not a valid card number as a whole
    ev = _sqli_evidence(value)
    assert "1' OR '1'='" in ev, ev
    assert re.search(r"\d{12,}", ev) is None, ev
    assert CARD not in ev and CARD[:15] not in ev and CARD[1:] not in ev


@pytest.mark.parametrize("prefix", ["", "x" * 7, "y" * 19, "z" * 40])
def test_card_before_the_match_is_masked(prefix: str) -> None:
    value = prefix + CARD + " " + SQLI
    ev = _sqli_evidence(value)
    assert "OR '1'='1" in ev, ev
    assert re.search(r"\d{12,}", ev) is None, ev


@pytest.mark.parametrize("gap", range(25))
def test_window_edge_never_leaves_a_partial_card(gap: int) -> None:
    text = "a" * 50 + "ATTACK" + "b" * gap + CARD + "c" * 30
    start = text.index("ATTACK")
    ev = evidence(text, start, start + 6)
    assert "ATTACK" in ev
    digits = re.findall(r"\d+", ev)
    assert all(len(d) <= 4 for d in digits), ev


def test_other_secrets_next_to_the_match_are_masked() -> None:
    text = "password=hunter2planted' OR 1=1-- jane.doe@example.org"
    start = text.index("' OR")
    ev = evidence(text, start, start + 10)
    assert "hunter2" not in ev and "jane.doe" not in ev
    assert "' OR 1=1--" in ev


def test_evidence_escapes_control_characters_after_redaction() -> None:
    text = SQLI + "\n" + CARD
    ev = evidence(text, 0, len(SQLI))
    assert "\\x0a" in ev and SQLI in ev
    assert re.search(r"\d{12,}", ev) is None and CARD[4:12] not in ev


def test_long_values_and_edges() -> None:
    text = "q" * 20000 + "ATTACK" + "r" * 20000
    start = text.index("ATTACK")
    ev = evidence(text, start, start + 6)
    assert ev == "q" * 20 + "ATTACK" + "r" * 20
    assert evidence("", 0, 0) == ""
    assert evidence("abc", 3, 3) == "abc"
    assert evidence("ATTACK", 0, 6) == "ATTACK"
    assert len(evidence("x" * 1000, 0, 1000)) == MAX_EVIDENCE


def test_mask_digit_runs() -> None:
    assert mask_digit_runs("id 12345678901") == "id 12345678901"  # 11 digits: left alone
    assert mask_digit_runs("123456789012") == "1234****9012"
    assert mask_digit_runs("4532-0151-1283-0367") == "4532-****-****-0367"
    assert mask_digit_runs("14532015112830366") == "1453*********0366"


@pytest.mark.parametrize("pad", range(40, 60))
def test_excerpt_redacts_before_it_cuts(pad: int) -> None:
    from tracehound.detectors._evidence import excerpt

    shown = excerpt("x" * pad + " " + CARD + " password=hunter2hunter2")
    assert not _card_runs(shown) and CARD[:6] not in shown and "hunter2" not in shown
    assert len(shown) <= 60
