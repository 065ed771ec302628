"""French typography of the interface: a no-break space before « : » and a narrow one before
« ; ! ? » in the French catalog's strings (lti_tool/i18n_typography.py), never in the msgids.

The generator is not applied to the catalog yet (17 tests read French pages with ordinary
spaces: see the branch's report); these tests cover the rule and the catalog rewrite."""

from __future__ import annotations

import io

from babel.messages.pofile import read_po

from course.render import NBSP, NNBSP
from lti_tool.i18n_typography import FRENCH_CATALOG, french_spacing, needs_spacing, updated_catalog


def catalog():
    with FRENCH_CATALOG.open("rb") as f:
        return read_po(f, locale="fr")


def test_spacing_rule_is_the_renderers_for_spaces_already_typed():
    assert french_spacing("Temps restant :") == f"Temps restant{NBSP}:"
    assert french_spacing("Remettre quand même ?") == f"Remettre quand même{NNBSP}?"
    assert french_spacing("Karim ; M. X. !") == f"Karim{NNBSP}; M. X.{NNBSP}!"
    # A time or a ratio keeps its colon; nothing is added where no space was typed.
    assert french_spacing("à %(h)s :30, 10:30, mot: x") == "à %(h)s :30, 10:30, mot: x"
    assert not needs_spacing("Aucune erreur.")


def test_the_catalog_update_spaces_plurals_and_regenerates_its_section():
    text = (
        '# French catalog\nmsgid ""\nmsgstr ""\n"Language: fr\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "{n} réponse : attente"\nmsgid_plural "{n} réponses : attente"\n'
        'msgstr[0] "{n} réponse : attente"\nmsgstr[1] "{n} réponses : attente"\n'
    )
    singles = {"Temps restant :", "Aucune erreur.", "{n} réponse : attente", 'Dit "oui" ?'}
    once = updated_catalog(text, singles)
    assert updated_catalog(once, singles) == once  # idempotent: the section is regenerated
    with io.BytesIO(once.encode()) as f:
        entries = {
            m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(f, locale="fr") if m.id
        }
    assert entries["Temps restant :"].string == f"Temps restant{NBSP}:"
    assert entries['Dit "oui" ?'].string == f'Dit "oui"{NNBSP}?'
    assert entries["{n} réponse : attente"].string == (
        f"{{n}} réponse{NBSP}: attente",
        f"{{n}} réponses{NBSP}: attente",
    )
    assert "Aucune erreur." not in entries


def test_the_catalog_changes_only_spaces():
    for entry in catalog():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for msgid, msgstr in zip(ids, strings, strict=True):
            assert msgstr.replace(NBSP, " ").replace(NNBSP, " ") == msgid, msgid
