"""Who sends grades: the web request right after its commit, or only the worker."""

import pytest

from lti_tool.config import from_environment


@pytest.mark.parametrize(
    ("mode", "setting", "expected"),
    [
        ("production", None, False),  # a web worker never waits on the LMS during an exam
        ("development", None, True),
        ("production", "1", True),
        ("development", "0", False),
    ],
)
def test_grades_leave_from_the_worker_in_production(monkeypatch, tmp_path, mode, setting, expected):
    monkeypatch.setenv("BILAN_ENV", mode)
    if setting is None:
        monkeypatch.delenv("BILAN_GRADES_SEND_AFTER_COMMIT", raising=False)
    else:
        monkeypatch.setenv("BILAN_GRADES_SEND_AFTER_COMMIT", setting)
    assert from_environment(str(tmp_path))["GRADES_SEND_AFTER_COMMIT"] is expected
