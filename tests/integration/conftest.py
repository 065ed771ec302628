"""Fixtures shared by the integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.unit.dossier_fixtures import requirements


@pytest.fixture()
def dossier_guide(app: Flask, tmp_path: Path) -> None:
    """A cahier des charges written by the test, matching the generated dossiers."""
    folder = tmp_path / "course" / "dossier"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(
        "---\nid: cahier\ntitle: Cahier des charges\n---\n\nIntroduction.\n", encoding="utf-8"
    )
    for order, r in enumerate(requirements(), start=1):
        words = f"min_words: {r.min_words}\n" if r.min_words else ""
        (folder / f"{order:02d}-{r.id}.md").write_text(
            f"---\nid: {r.id}\ntitle: {r.title}\norder: {order}\ncompetencies: [C1]\n"
            f"headings: [{', '.join(repr(h) for h in r.headings)}]\nchecks: [{', '.join(r.checks)}]\n{words}---\n\nAttendu.\n",
            encoding="utf-8",
        )
    app.config["COURSE_ROOT"] = str(tmp_path / "course")
