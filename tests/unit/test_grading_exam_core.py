"""Exam timing, the tamper-evident log and item analysis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grading.event_chain import GENESIS, ChainEntry, chain_hash, verify
from grading.item_analysis import cohort_warning, item_stats, reliability
from grading.timing import (
    DEFAULT_GRACE_SECONDS,
    MAX_GRACE_SECONDS,
    TIERS_TEMPS_PERCENT,
    SaveVerdict,
    TimeRules,
    deadline,
)

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_deadline_with_and_without_tiers_temps():
    assert deadline(T0, 60, 0) == T0 + timedelta(hours=1)
    assert deadline(T0, 60, TIERS_TEMPS_PERCENT) == T0 + timedelta(minutes=80)
    assert deadline(T0, 60, 50) == T0 + timedelta(minutes=90)
    with pytest.raises(ValueError):
        deadline(T0, 60, -1)


def test_save_verdict_at_the_second():
    rules = TimeRules(deadline=T0 + timedelta(hours=1), grace_seconds=10)
    assert rules.verdict(rules.deadline) is SaveVerdict.ACCEPTED
    assert rules.verdict(rules.deadline + timedelta(seconds=1)) is SaveVerdict.ACCEPTED_IN_GRACE
    assert rules.verdict(rules.deadline + timedelta(seconds=10)) is SaveVerdict.ACCEPTED_IN_GRACE
    assert rules.verdict(rules.deadline + timedelta(seconds=11)) is SaveVerdict.REFUSED_LATE
    assert rules.seconds_late(rules.deadline + timedelta(seconds=4)) == 4
    assert rules.finish_time(rules.deadline + timedelta(seconds=5)) == rules.deadline
    assert rules.remaining_seconds(T0) == 3600
    assert rules.remaining_seconds(rules.deadline + timedelta(seconds=5)) == 0
    assert not rules.is_over(rules.deadline) and rules.is_over(
        rules.deadline + timedelta(seconds=1)
    )
    assert not rules.is_overdue(rules.deadline + timedelta(seconds=10))
    assert rules.is_overdue(rules.deadline + timedelta(seconds=11))


def test_grace_never_exceeds_its_ceiling_whatever_the_setting():
    """The grace covers requests in flight (seconds), not more work: extra time is tiers temps."""
    assert DEFAULT_GRACE_SECONDS <= 10 and MAX_GRACE_SECONDS <= 30
    rules = TimeRules(deadline=T0, grace_seconds=600)
    assert rules.verdict(T0 + timedelta(seconds=MAX_GRACE_SECONDS)) is SaveVerdict.ACCEPTED_IN_GRACE
    assert rules.verdict(T0 + timedelta(seconds=75)) is SaveVerdict.REFUSED_LATE
    assert rules.is_overdue(T0 + timedelta(seconds=MAX_GRACE_SECONDS + 1))
    assert TimeRules(deadline=T0, grace_seconds=-5).verdict(T0 + timedelta(seconds=1)) is (
        SaveVerdict.REFUSED_LATE
    )


def _chain(payloads):
    entries, previous = [], GENESIS
    for seq, payload in enumerate(payloads, start=1):
        digest = chain_hash(previous, seq, payload)
        entries.append(ChainEntry(seq, payload, previous, digest))
        previous = digest
    return entries


def test_event_chain_detects_edit_deletion_and_reorder():
    entries = _chain(
        [{"type": "start"}, {"type": "save", "item": "q1", "choice": "a"}, {"type": "submit"}]
    )
    assert verify(entries) == []
    edited = list(entries)
    edited[1] = ChainEntry(
        2, {"type": "save", "item": "q1", "choice": "b"}, entries[1].previous_hash, entries[1].hash
    )
    assert any("modifié" in p for p in verify(edited))
    assert verify([entries[0], entries[2]])
    assert verify([entries[1], entries[0], entries[2]])


def test_item_analysis_flags_a_miskeyed_item():
    # Strong candidates fail "bad", weak ones succeed: negative discrimination.
    scores = {}
    for i in range(10):
        strong = i >= 5
        scores[f"c{i}"] = {
            "q1": int(strong),
            "q2": int(strong),
            "q3": int(i >= 3),
            "bad": int(not strong),
        }
    bad = item_stats("bad", scores)
    good = item_stats("q1", scores)
    assert bad.discrimination is not None and bad.discrimination < 0
    assert any("clé" in f for f in bad.flags)
    assert good.discrimination is not None and good.discrimination > 0.5
    assert good.facility == 0.5
    rel = reliability(scores, ["q1", "q2", "q3"])
    assert rel.kr20 is not None and 0.5 < rel.kr20 <= 1
    assert rel.sem is not None and rel.sem >= 0
    assert cohort_warning(10) is not None and cohort_warning(40) is None


def test_choice_shares_and_untaken_item():
    scores = {"a": {"q": 1}, "b": {"q": 0}, "c": {"q": 0}, "d": {}}
    stats = item_stats("q", scores, {"a": "p1", "b": "p2", "c": None})
    assert stats.answered == 3
    assert stats.choice_shares == {
        "(sans réponse)": pytest.approx(1 / 3),
        "p1": pytest.approx(1 / 3),
        "p2": pytest.approx(1 / 3),
    }
    assert item_stats("zzz", scores).facility is None


def test_kr20_matches_a_hand_computed_value():
    # 4 candidates x 3 items; totals 3,2,1,0 -> var = 5/3; p = .5,.5,.5? compute directly.
    scores = {
        "a": {"x": 1, "y": 1, "z": 1},
        "b": {"x": 1, "y": 1, "z": 0},
        "c": {"x": 1, "y": 0, "z": 0},
        "d": {"x": 0, "y": 0, "z": 0},
    }
    rel = reliability(scores, ["x", "y", "z"])
    # p = .75,.5,.25 -> sum pq = .1875+.25+.1875 = .625 ; var = 5/3 ; kr20 = 1.5*(1-.625/(5/3)) = .9375
    assert rel.kr20 == pytest.approx(0.9375)


def test_kr21_on_totals_of_equal_length_papers():
    from grading.item_analysis import kr21

    rel = kr21([3, 2, 1, 0], 3)
    # mean 1.5, var 5/3: 1.5 * (1 - 1.5*1.5/(3*5/3)) = 1.5 * 0.55 = 0.825
    assert rel.kr20 == pytest.approx(0.825)
    assert kr21([2, 2, 2], 3).kr20 is None
