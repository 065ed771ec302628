"""The length cue: a key that is the longest option by a clear margin, and how often it is."""

from __future__ import annotations

import shutil
from pathlib import Path

from course.cli import main
from course.itemcheck import (
    LENGTH_MARGIN,
    key_is_longest,
    length_cue,
    length_share,
    length_warnings,
    share_line,
    visible_length,
)
from course.modules import parse_module_text
from course.questionnaire import parse_item_text

ROOT = Path(__file__).resolve().parents[2]
TREES = ROOT / "tests" / "fixtures" / "course" / "trees"
MODULE = ROOT / "course" / "modules" / "m" / "index.md"


def question(*options: str, multiple: bool = False, ident: str = "k"):
    """A module knowledge check; an option starting with « * » is keyed."""
    kind = " type=multiple" if multiple else ""
    lines = "".join(
        f"- [{'x' if o.startswith('*') else ' '}] {o.lstrip('*')}\n  > Retour.\n" for o in options
    )
    page = (
        "---\nid: m\ntitle: M\ncompetencies: [C1]\norder: 1\n---\n\n"
        f"<!-- question: {ident}{kind} -->\nQue faites-vous ?\n\n{lines}\nExplication.\n"
        "<!-- /question -->\n"
    )
    module, errors = parse_module_text(page, MODULE)
    assert errors == [] and module is not None
    return module.questions[0]


def test_a_key_longer_than_every_distractor_by_the_margin_is_reported():
    cued = question("a" * 50, "*" + "b" * 60, "c" * 40)  # 60 / 50: 20 % longer
    assert key_is_longest(cued) and length_cue(cued) is not None
    (warning,) = length_warnings([cued])
    assert warning.path == str(MODULE) and warning.line == cued.line
    assert warning.message.startswith(
        "attention : question « k » : la bonne réponse est plus longue que toute mauvaise "
        "réponse de 20 % (seuil 20 %)"
    )


def test_a_key_just_under_the_margin_or_not_the_longest_is_not_reported():
    close = question("a" * 50, "*" + "b" * 59, "c" * 40)
    assert key_is_longest(close) and length_cue(close) is None and length_warnings([close]) == []
    shorter = question("a" * 80, "*" + "b" * 60, "c" * 40)
    assert not key_is_longest(shorter) and length_cue(shorter) is None
    tie = question("a" * 60, "*" + "b" * 60)
    assert not key_is_longest(tie) and length_cue(tie) is None


def test_multiple_answers_are_cued_when_every_key_outgrows_every_distractor():
    cued = question("*" + "a" * 70, "*" + "b" * 61, "c" * 50, "d" * 30, multiple=True)
    (warning,) = length_warnings([cued])
    assert "les bonnes réponses sont chacune plus longues" in warning.message
    mixed = question("*" + "a" * 70, "*" + "b" * 20, "c" * 50, "d" * 30, multiple=True)
    assert key_is_longest(mixed) and length_warnings([mixed]) == []


def test_the_length_is_what_the_candidate_sees():
    assert visible_length("Voir [l'article](https://www.legifrance.gouv.fr/x) **R.6313-4**") == len(
        "Voir l'article R.6313-4"
    )
    linked = question("*Voir [R.6313-8](https://www.legifrance.gouv.fr/very/long/path)", "a" * 20)
    assert length_cue(linked) is None


def test_exam_items_are_checked_too():
    text = (
        "---\nid: items-x\ntitle: Items\ncompetency: C1\n---\n\n"
        '<!-- question: c1-x difficulty=2 source="R.6313-8" -->\nQue faites-vous ?\n\n'
        "- [ ] Vous commencez\n  > Non.\n"
        "- [x] Vous attendez sa signature : son silence au-delà de dix jours vaut refus\n"
        "  > Oui.\n- [ ] Vous faites signer l'employeur seul\n  > Non.\n\nR.6313-8.\n"
        "<!-- /question -->\n"
    )
    items, errors = parse_item_text(text, ROOT / "course" / "questionnaire" / "items" / "x.md")
    assert errors == []
    assert [w.line for w in length_warnings(items)] == [items[0].line]


def test_the_share_is_compared_with_chance():
    longest = [question("a" * 10, "*" + "b" * 11, "c" * 5, ident=f"q{i}") for i in range(8)]
    shortest = [question("a" * 30, "*" + "b" * 11, "c" * 5, ident=f"r{i}") for i in range(2)]
    share = length_share(longest + shortest)
    assert (share.questions, share.key_longest) == (10, 8)
    assert abs(share.expected - 10 / 3) < 1e-9
    # P(X >= 8) for X ~ Binomial(10, 1/3): 201 / 3**10.
    assert abs(share.p_value - 201 / 3**10) < 1e-12 and share.cueing
    line = share_line("questions des modules", share)
    assert line.startswith(
        "attention : questions des modules : la bonne réponse est la plus longue proposition "
        "dans 8 sur 10 (80 %) ; attendu au hasard : 3,3 (33 %)"
    )
    fair = length_share(longest[:3] + shortest * 3)
    assert fair.key_longest == 3 and not fair.cueing
    assert share_line("questions d'examen", fair) == (
        "questions d'examen : la bonne réponse est la plus longue proposition dans 3 sur 9 "
        "(33 %) ; attendu au hasard : 3,0 (33 %)."
    )


def test_the_check_command_warns_on_a_module_question_and_prints_the_shares(capsys, tmp_path):
    course = tmp_path / "c"
    shutil.copytree(TREES / "valid", course)
    assert main(["check", str(course)]) == 0
    before = capsys.readouterr().out
    assert "la bonne réponse est plus longue" not in before
    assert "\nquestions des modules : la bonne réponse est la plus longue proposition" in before
    assert "\nquestions d'examen : la bonne réponse est la plus longue proposition" in before
    index = course / "modules" / "c1-cadre" / "index.md"
    text = index.read_text(encoding="utf-8")
    keyed = next(line for line in text.splitlines() if line.startswith("- [x]"))
    longer = keyed + ", comme le prévoit le Code du travail pour tout bénéficiaire d'un bilan"
    index.write_text(text.replace(keyed, longer, 1), encoding="utf-8")
    assert main(["check", str(course)]) == 0
    out = capsys.readouterr().out.splitlines()
    cued = [line for line in out if "la bonne réponse est plus longue" in line]
    assert len(cued) == 1 and "modules/c1-cadre/index.md:19: attention" in cued[0]
    assert "aucune erreur ;" in out[-1] and "avertissement" in out[-1]
    assert round(LENGTH_MARGIN, 2) == 0.20
