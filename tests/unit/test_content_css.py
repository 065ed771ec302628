"""Every class a trainer may put on content has an accessible style in app.css."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.render import CLASSES

CSS = (Path(__file__).resolve().parents[2] / "lti_tool" / "static" / "app.css").read_text("utf-8")
LABELLED = sorted(CLASSES - {"encadre"})  # a plain frame says nothing, so it needs no label


def variable(name: str) -> str:
    found = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS)
    assert found, f"--{name} is not defined in app.css"
    return found.group(1)


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_each_content_class_has_a_box_with_a_border(name):
    rule = re.search(rf"^\.{name} \{{([^}}]*)\}}", CSS, re.MULTILINE)
    assert rule and "border-color" in rule.group(1) and "background" in rule.group(1)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_text_and_label_contrast_at_least_4_5_to_1(name):
    background = variable(f"{name}-bg")
    assert contrast(variable("fg"), background) >= 4.5
    assert contrast(variable(f"{name}-fg"), background) >= 4.5
    assert contrast(variable("accent"), background) >= 4.5  # links inside the box


@pytest.mark.parametrize("name", LABELLED)
def test_the_meaning_is_written_not_only_coloured(name):
    labels = re.findall(
        rf"^\.{name}(?::lang\((\w+)\))?::before \{{[^}}]*content: \"([^\"]+)\"", CSS, re.M
    )
    by_language = {lang or "fr": text for lang, text in labels}
    assert set(by_language) == {"fr", "en"}
    assert all(re.search(r"\w{4,}", text) for text in by_language.values())
