"""Safe rendering: Markdown to HTML through an allow-list, cached by content."""

from __future__ import annotations

import pytest

from course.render import headings, render_inline, render_markdown, sanitize


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>Texte", "alert"),
        ("<SCRIPT SRC=https://evil.example/x.js></SCRIPT>", "<script"),
        ('<img src="schema.png" onerror="alert(1)">', "onerror"),
        ('<a href="#" onclick="alert(1)">x</a>', "onclick"),
        ('<p onmouseover="alert(1)">x</p>', "onmouseover"),
        ("[clic](javascript:alert(1))", "javascript"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<a href="jav&#x61;script:alert(1)">x</a>', "alert"),
        ("[clic](vbscript:msgbox(1))", "vbscript"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ('<object data="x.swf"></object><embed src="x.swf">', "swf"),
        ("![image](data:image/png;base64,iVBORw0KGgo=)", "data:"),
        ("![image](https://evil.example/pixel.png)", "evil.example"),
        ("![image](//evil.example/pixel.png)", "evil.example"),
        ("<style>body{display:none}</style>", "display"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style"),
        ('<form action="https://evil.example"><input name="mdp"></form>', "<form"),
        ('<svg onload="alert(1)"><circle/></svg>', "onload"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', "refresh"),
        ('Texte\n{: onclick="alert(1)" }', "onclick"),
    ],
)
def test_dangerous_html_is_removed(source, forbidden):
    html = render_markdown(source)
    assert forbidden.lower() not in html.lower(), html


def test_ordinary_markdown_survives():
    html = render_markdown(
        "## Durée du bilan\n\n**24 heures** au plus ([L.6313-4](https://www.legifrance.gouv.fr/)).\n\n"
        "> Encadré\n\n| Phase | Durée |\n|---|:-:|\n| préliminaire | 2 h |\n\n"
        "![Schéma](schema.png)\n\n[module C2](../c2/index.md) · [écrire](mailto:formation@example.org)"
    )
    assert '<h2 id="duree-du-bilan">Durée du bilan</h2>' in html
    assert "<strong>24 heures</strong>" in html
    assert (
        '<a href="https://www.legifrance.gouv.fr/" rel="noopener noreferrer">L.6313-4</a>' in html
    )
    assert "<blockquote>" in html and '<td align="center">2 h</td>' in html
    assert '<img alt="Schéma" src="schema.png">' in html
    assert 'href="../c2/index.md"' in html and 'href="mailto:formation@example.org"' in html


def test_only_known_classes_and_only_heading_ids_are_kept():
    html = render_markdown("Texte\n{: .encadre .btn-danger #main }\n\n## Titre {#mon-ancre}")
    assert '<p class="encadre">Texte</p>' in html
    assert "btn-danger" not in html and 'id="main"' not in html
    assert '<h2 id="mon-ancre">Titre</h2>' in html


def test_sanitize_adds_rel_to_links():
    assert (
        sanitize('<a href="https://legifrance.gouv.fr" onclick="x()">L</a>')
        == '<a href="https://legifrance.gouv.fr" rel="noopener noreferrer">L</a>'
    )


def test_rendering_is_cached_by_content_so_an_edit_renders_anew():
    render_markdown.cache_clear()
    first = render_markdown("Texte *un*")
    assert render_markdown("Texte *un*") is first
    assert render_markdown.cache_info().hits == 1
    assert render_markdown("Texte *deux*") == "<p>Texte <em>deux</em></p>"


def test_inline_rendering_for_propositions():
    assert render_inline("24 **heures**") == "24 <strong>heures</strong>"
    assert render_inline("<script>x</script>12 heures") == "12 heures"


def test_headings_for_a_table_of_contents():
    html = render_markdown("# Titre\n\n## Le cadre *légal*\n\n### Sous-partie\n\n## Les phases")
    assert headings(html) == [("le-cadre-legal", "Le cadre légal"), ("les-phases", "Les phases")]
