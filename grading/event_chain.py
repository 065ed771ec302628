"""A tamper-evident event log: each entry's hash covers the previous entry's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(payload: Mapping[str, Any]) -> str:
    """Canonical JSON of an event payload (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def chain_hash(previous_hash: str, seq: int, payload: Mapping[str, Any]) -> str:
    """Hash of one entry: SHA-256 over the previous hash, the sequence number and the payload."""
    data = f"{previous_hash}|{seq}|{canonical(payload)}".encode()
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ChainEntry:
    """One stored entry of the log."""

    seq: int
    payload: Mapping[str, Any]
    previous_hash: str
    hash: str


def verify(entries: Iterable[ChainEntry]) -> list[str]:
    """Return the problems found in a log (empty when intact): edits, deletions, reorderings."""
    problems: list[str] = []
    expected_previous = GENESIS
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(
                f"entrée {entry.seq} : numéro attendu {expected_seq} (entrée manquante ?)"
            )
        if entry.previous_hash != expected_previous:
            problems.append(f"entrée {entry.seq} : chaînage rompu avec l'entrée précédente")
        if chain_hash(entry.previous_hash, entry.seq, entry.payload) != entry.hash:
            problems.append(f"entrée {entry.seq} : contenu modifié après coup")
        expected_previous = entry.hash
        expected_seq = entry.seq + 1
    return problems
