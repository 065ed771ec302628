"""French typography set by the renderer: spaces before « ; ! ? : », inside « », and ’."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from course.render import NBSP, NNBSP, render_inline, render_markdown, typeset, typeset_html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Pourquoi ?", f"Pourquoi{NNBSP}?"),
        ("Pourquoi?", f"Pourquoi{NNBSP}?"),
        ("Attention !", f"Attention{NNBSP}!"),
        ("d'abord ; ensuite", f"d’abord{NNBSP}; ensuite"),
        ("Vraiment ?!", f"Vraiment{NNBSP}?!"),
        ("Durée : 24 heures", f"Durée{NBSP}: 24 heures"),
        ("Durée: 24 heures", f"Durée{NBSP}: 24 heures"),
        ("« le bilan »", f"«{NBSP}le bilan{NBSP}»"),
        ("«le bilan»", f"«{NBSP}le bilan{NBSP}»"),
        ("l'article L.6313-4 d'aujourd'hui", "l’article L.6313-4 d’aujourd’hui"),
        # a line break before the sign becomes the no-break space (the sign never starts a line)
        ("le bénéficiaire\n: il", f"le bénéficiaire{NBSP}: il"),
    ],
)
def test_typeset_sets_the_french_spaces_and_the_apostrophe(source, expected):
    assert typeset(source) == expected


@pytest.mark.parametrize(
    "kept",
    [
        "Séance de 10:30 à 12:00, ratio 1:2",
        "https://www.service-public.fr/particuliers/vosdroits?id=F2039&x=1",
        "www.moncompteformation.gouv.fr",
        "mailto:contact@example.org",
        "contact@example.org",
    ],
)
def test_times_addresses_and_e_mails_are_kept_as_written(kept):
    assert typeset(kept) == kept


def test_idempotent_when_the_text_already_has_the_right_spaces():
    right = f"L’article{NBSP}: «{NBSP}le bilan{NBSP}»{NNBSP}? Oui{NNBSP}; non{NNBSP}!"
    assert typeset(right) == right
    page = render_markdown("L'article : « le bilan » ? Oui ; non !\n\n`code : 'x' ?`")
    assert typeset_html(page) == page
    assert render_markdown(right) == f"<p>{right}</p>"


def test_an_ordinary_no_break_space_before_a_high_sign_becomes_the_narrow_one():
    assert typeset(f"Pourquoi{NBSP}?") == f"Pourquoi{NNBSP}?"


def test_code_spans_and_code_blocks_are_untouched():
    html = render_markdown(
        "Tapez `make check : 'ok' ?` puis :\n\n```\nflask course check ; echo 'fait' !\n```\n"
    )
    assert "<code>make check : 'ok' ?</code>" in html
    assert "<pre><code>flask course check ; echo 'fait' !\n</code></pre>" in html
    assert f"puis{NBSP}:" in html


def test_keyboard_input_and_foreign_language_elements_are_untouched():
    html = render_markdown('<kbd>Ctrl : G</kbd> et <span lang="en">don\'t : stop</span> ; fin')
    assert "<kbd>Ctrl : G</kbd>" in html and "don't : stop" in html
    assert f"{NNBSP}; fin" in html


def test_attributes_and_link_addresses_are_untouched():
    html = render_markdown(
        "[l'article](https://www.legifrance.gouv.fr/?q=a:b) et ![schéma d'ensemble : phases](p.png)"
    )
    assert 'href="https://www.legifrance.gouv.fr/?q=a:b"' in html
    assert 'alt="schéma d\'ensemble : phases"' in html
    assert ">l’article</a>" in html


def test_the_character_before_an_inline_tag_counts():
    html = render_inline("voir *l'article*! et **Note**: ceci")
    assert html == f"voir <em>l’article</em>{NNBSP}! et <strong>Note</strong>{NBSP}: ceci"


def test_english_content_is_untouched_when_the_renderer_knows_the_language():
    text = "Why? Because: it's « so »"
    assert render_markdown(text, "en") == f"<p>{text}</p>"
    assert render_inline("It's: ok?", "en-GB") == "It's: ok?"
    assert render_markdown(text, "fr-FR") == render_markdown(text)


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.names |= {name for name, _ in attrs}


def test_typography_never_turns_escaped_text_into_markup():
    html = render_markdown(
        '&lt;script&gt;alert(1)&lt;/script&gt; : <abbr title="a>b&quot; onmouseover=x">sigle</abbr> ?'
    )
    assert "<script" not in html and "&lt;script&gt;" in html
    parser = _Attributes()
    parser.feed(html)
    assert parser.names == {"title"}
    assert html.endswith(f"</abbr>{NNBSP}?</p>")


@pytest.mark.parametrize(("lang", "typeset_expected"), [("fr", True), ("en", False)])
def test_a_module_page_is_typeset_in_the_module_s_language(tmp_path, lang, typeset_expected):
    from course.modules import parse_module_text
    from lti_tool.modules.views import rendered

    text = (
        f"---\nid: m\ntitle: M\ncompetencies: [C1]\norder: 1\nlang: {lang}\n---\n\n"
        "Why: it's so?\n\n"
        "<!-- question: q -->\nWhat's this?\n\n- [x] Yes: it's right\n  > Good: it's so.\n"
        "- [ ] No\n  > No: it isn't.\n\nBecause it's so.\n<!-- /question -->\n"
    )
    module, errors = parse_module_text(text, tmp_path / "m" / "index.md")
    assert module is not None, errors
    html = "".join(
        part.get("html", "")
        + part.get("stem", "")
        + part.get("explanation", "")
        + "".join(t + f for _, t, f in part.get("propositions", []))
        for part in rendered(module)
    )
    assert ("’" in html and NBSP in html and NNBSP in html) is typeset_expected
    assert ("it's" in html and "Why:" in html) is not typeset_expected


def test_the_template_filter_typesets_front_matter_text_in_its_language():
    from lti_tool.modules.views import typeset_filter

    assert typeset_filter("Le bilan : l'essentiel ?") == f"Le bilan{NBSP}: l’essentiel{NNBSP}?"
    assert typeset_filter("Why: it's so?", "en") == "Why: it's so?"
    assert typeset_filter(None) == ""
