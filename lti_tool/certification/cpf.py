"""The CPF record (« accrochage »): holders' data for the Caisse des Dépôts' certifiers' portal.

The LMS never sends a NIR: each certified holder enters it (with the birth name) after the PV is
signed. It is checked (format, month, department with Corsica's 2A/2B, key = 97 − (number mod
97)), stored encrypted (Fernet, key from the settings), shown masked, and erased after the
retention period.

The published XSD of the portal could not be consulted from here: the file follows the field
list documented in docs/guide-certificateur.md (structure as the CDC's guides describe it,
namespace ``urn:cdc:cpf:pc5:schema:1.0.0``), and ``check_export`` tests every rule of that list.
Check the file against the CDC's own XSD before the first deposit.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405  (building only; parsing uses defusedxml)

from cryptography.fernet import Fernet, InvalidToken
from defusedxml import ElementTree as SafeET
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lti_tool.certification import audit, certificates
from lti_tool.certification.models import CertCandidate, CertSession, CpfRecord
from lti_tool.certification.services import CertificationError, candidates
from lti_tool.extensions import db

NS = "urn:cdc:cpf:pc5:schema:1.0.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

NIR_FORMAT = re.compile(r"^([12378])(\d{2})(\d{2})(\d{2}|2A|2B)(\d{3})(\d{3})(\d{2})$")


def normalise_nir(raw: str) -> str:
    """Spaces, dots and dashes removed, letters upper-cased."""
    return re.sub(r"[\s.\-]", "", raw or "").upper()


def nir_problems(raw: str) -> list[str]:
    """Why a NIR is refused (empty when valid). French messages for the holder."""
    nir = normalise_nir(raw)
    match = NIR_FORMAT.match(nir)
    if match is None:
        return [
            "Le numéro de sécurité sociale compte 15 caractères : sexe (1 chiffre), année, mois, "
            "département (2A ou 2B pour la Corse), commune, ordre et clé."
        ]
    sex, _year, month, department, _commune, _order, key = match.groups()
    problems = []
    # Months 01–12; 20 and 30–42 and 50–99 occur for people born abroad or unknown months.
    if not (
        1 <= int(month) <= 12 or int(month) == 20 or 30 <= int(month) <= 42 or int(month) >= 50
    ):
        problems.append(_("Le mois de naissance du numéro est impossible."))
    if department == "00":
        problems.append(_("Le département de naissance du numéro est impossible."))
    if int(key) != nir_key(nir[:13]):
        problems.append(_("La clé du numéro ne correspond pas : vérifiez chaque chiffre."))
    del sex
    return problems


def nir_key(first13: str) -> int:
    """97 − (number mod 97), Corsica's 2A counted as 19 and 2B as 18."""
    digits = first13.upper().replace("2A", "19").replace("2B", "18")
    return 97 - int(digits) % 97


def _fernet() -> Fernet:
    key = current_app.config.get("CPF_NIR_KEY")
    if not key:
        # Derived from the secret key when no key is set (development): still never in clear.
        digest = hashlib.sha256(("cpf-nir|" + str(current_app.config["SECRET_KEY"])).encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt(value: str) -> str:
    """Fernet token of a value."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The value of a Fernet token (error if the key changed)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CertificationError(_l("Donnée chiffrée illisible : la clé a changé."), 500) from None


def masked(record: CpfRecord) -> str:
    """The NIR as shown: only its key."""
    if record.nir_encrypted is None:
        return "effacé"
    return "• " * 13 + record.nir_hint


def of_candidate(candidate_id: int) -> CpfRecord | None:
    """The holder's CPF record, if entered."""
    record: CpfRecord | None = db.session.scalar(
        select(CpfRecord).where(CpfRecord.candidate_id == candidate_id)
    )
    return record


def enter(
    candidate: CertCandidate, *, nir: str, birth_name: str, by_id: int, now: datetime
) -> CpfRecord:
    """The holder enters (or corrects) their NIR and birth name; logged without either."""
    held = certificates.of_candidate(candidate.id)
    if held is None or held.revoked_at is not None:
        raise CertificationError(
            _l("Seuls les titulaires d'un certificat valide sont déclarés au CPF."), 403
        )
    problems = nir_problems(nir)
    name = " ".join((birth_name or "").split()).upper()
    if not name:
        problems.append(_("Indiquez votre nom de naissance."))
    if problems:
        raise CertificationError(" ".join(problems))
    value = normalise_nir(nir)
    record = of_candidate(candidate.id)
    before = None
    if record is None:
        record = CpfRecord(
            candidate_id=candidate.id, id_technique=f"bilan-{uuid.uuid4().hex[:24]}", entered_at=now
        )
        db.session.add(record)
    else:
        before = {"state": record.state}
    record.nir_encrypted = encrypt(value)
    record.birth_name_encrypted = encrypt(name[:100])
    record.nir_hint = value[-2:]
    record.entered_at = now
    record.purge_after = now + timedelta(days=int(current_app.config["CPF_NIR_RETENTION_DAYS"]))
    record.purged_at = None
    record.state = "entered"
    db.session.flush()
    audit.record(
        candidate.session,
        actor_id=by_id,
        action="cpf_data_entered",
        now=now,
        subject={"candidate_id": candidate.id, "id_technique": record.id_technique},
        before=before,
        after={"state": "entered", "purge_after": record.purge_after.isoformat()},
    )
    return record


# --- The export --------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """A built export: the XML and the records it contains."""

    xml: bytes
    records: list[CpfRecord]
    id_flux: str


def exportable(session: CertSession) -> list[CpfRecord]:
    """Records of the session's valid certificate holders, NIR present."""
    found = []
    for candidate in candidates(session.id):
        held = certificates.of_candidate(candidate.id)
        record = of_candidate(candidate.id)
        if (
            held is not None
            and held.revoked_at is None
            and record is not None
            and record.nir_encrypted is not None
        ):
            found.append(record)
    return found


def _el(parent: ET.Element, name: str, text: str | None = None, *, nil: bool = False) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{name}")
    if nil:
        element.set(f"{{{XSI}}}nil", "true")
    elif text is not None:
        element.text = text
    return element


def build_export(session: CertSession, *, now: datetime) -> Export:
    """The XML file of the session's certified holders (CREATION of their passages)."""
    config = current_app.config
    missing = [
        name
        for name in ("CPF_ID_CLIENT", "CPF_ID_CONTRAT", "CPF_CERTIFICATION_CODE")
        if not config.get(name)
    ]
    if missing:
        raise CertificationError(
            _l(
                "Paramètres CPF manquants : %(names)s.",
                names=", ".join("BILAN_" + m for m in missing),
            ),
            409,
        )
    records = exportable(session)
    if not records:
        raise CertificationError(_l("Aucun titulaire n'a encore saisi ses données CPF."), 409)
    ET.register_namespace("cpf", NS)
    ET.register_namespace("xsi", XSI)
    id_flux = str(uuid.uuid4())
    root = ET.Element(f"{{{NS}}}flux")
    _el(root, "idFlux", id_flux)
    _el(root, "horodatage", now.isoformat(timespec="seconds"))
    emitter = _el(root, "emetteur")
    _el(emitter, "idClient", config["CPF_ID_CLIENT"])
    certifier = _el(_el(emitter, "certificateurs"), "certificateur")
    _el(certifier, "idClient", config["CPF_ID_CLIENT"])
    _el(certifier, "idContrat", config["CPF_ID_CONTRAT"])
    certification = _el(_el(certifier, "certifications"), "certification")
    _el(certification, "type", config.get("CPF_CERTIFICATION_TYPE") or "RS")
    _el(certification, "code", config["CPF_CERTIFICATION_CODE"])
    passages = _el(certification, "passageCertifications")
    for record in records:
        held = certificates.of_candidate(record.candidate_id)
        assert held is not None
        passage = _el(passages, "passageCertification")
        _el(passage, "idTechnique", record.id_technique)
        _el(passage, "obtentionCertification", "PAR_ADMISSION")
        _el(passage, "donneeCertifiee", "true")
        _el(passage, "dateDebutValidite", held.issued_at.date().isoformat())
        _el(passage, "dateFinValidite", nil=True)
        _el(passage, "presenceNiveauLangueEuro", "false")
        _el(passage, "presenceNiveauNumeriqueEuro", "false")
        _el(passage, "scoring", nil=True)
        _el(passage, "mentionValidee", nil=True)
        _el(_el(passage, "modalitesInscription"), "modaliteAcces", "FORMATION_CONTINUE_HORS_VAE")
        holder = _el(_el(passage, "identificationTitulaire"), "identifiantNational")
        # The NIR's 13 first characters: its key is never exported.
        _el(holder, "nir", decrypt(record.nir_encrypted or "")[:13])
        _el(holder, "nomNaissance", decrypt(record.birth_name_encrypted or ""))
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Export(xml=xml, records=records, id_flux=id_flux)


#: The documented field list (docs/guide-certificateur.md): path -> rule, each tested.
FIELD_RULES: dict[str, str] = {
    "idFlux": "identifiant du lot, UUID",
    "horodatage": "date et heure ISO 8601 avec décalage horaire",
    "emetteur/idClient": "8 caractères alphanumériques",
    "certificateur/idClient": "8 caractères alphanumériques",
    "certificateur/idContrat": "1 à 20 caractères",
    "certification/type": "RS ou RNCP",
    "certification/code": "RS ou RNCP suivi de chiffres",
    "passageCertification/idTechnique": "1 à 255 caractères, unique dans le fichier",
    "passageCertification/obtentionCertification": "PAR_ADMISSION ou PAR_SCORING",
    "passageCertification/donneeCertifiee": "true",
    "passageCertification/dateDebutValidite": "date AAAA-MM-JJ",
    "identifiantNational/nir": "13 chiffres (2A/2B pour la Corse), sans la clé",
    "identifiantNational/nomNaissance": "1 à 100 caractères, majuscules",
}


def check_export(xml: bytes) -> list[str]:
    """Every rule of the documented field list checked on a file; problems in French."""
    root = SafeET.fromstring(xml)
    q = f"{{{NS}}}"
    problems = []
    if root.tag != f"{q}flux":
        return ["racine : élément cpf:flux attendu dans l'espace de noms " + NS]

    def text(path: str) -> str:
        node = root.find(path)
        return (node.text or "") if node is not None else ""

    try:
        uuid.UUID(text(f"{q}idFlux"))
    except ValueError:
        problems.append("idFlux : UUID attendu")
    try:
        stamp = datetime.fromisoformat(text(f"{q}horodatage"))
        if stamp.tzinfo is None:
            problems.append("horodatage : décalage horaire manquant")
    except ValueError:
        problems.append("horodatage : date ISO 8601 attendue")
    if not re.fullmatch(r"[A-Za-z0-9]{8}", text(f"{q}emetteur/{q}idClient")):
        problems.append("emetteur/idClient : 8 caractères alphanumériques attendus")
    certifier = f"{q}emetteur/{q}certificateurs/{q}certificateur"
    if not re.fullmatch(r"[A-Za-z0-9]{8}", text(f"{certifier}/{q}idClient")):
        problems.append("certificateur/idClient : 8 caractères alphanumériques attendus")
    if not 1 <= len(text(f"{certifier}/{q}idContrat")) <= 20:
        problems.append("certificateur/idContrat : 1 à 20 caractères attendus")
    certification = f"{certifier}/{q}certifications/{q}certification"
    kind = text(f"{certification}/{q}type")
    if kind not in ("RS", "RNCP"):
        problems.append("certification/type : RS ou RNCP attendu")
    if not re.fullmatch(rf"{kind}\d+", text(f"{certification}/{q}code")):
        problems.append("certification/code : le type suivi de chiffres attendu")
    seen: set[str] = set()
    for n, passage in enumerate(
        root.findall(f"{certification}/{q}passageCertifications/{q}passageCertification"), 1
    ):

        def value(name: str, node: Any = passage) -> str:
            found = node.find(f"{q}{name}")
            return (found.text or "") if found is not None else ""

        ident = value("idTechnique")
        if not 1 <= len(ident) <= 255 or ident in seen:
            problems.append(f"passage {n} : idTechnique absent ou en double")
        seen.add(ident)
        if value("obtentionCertification") not in ("PAR_ADMISSION", "PAR_SCORING"):
            problems.append(f"passage {n} : obtentionCertification invalide")
        if value("donneeCertifiee") != "true":
            problems.append(f"passage {n} : donneeCertifiee doit valoir true")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value("dateDebutValidite")):
            problems.append(f"passage {n} : dateDebutValidite AAAA-MM-JJ attendue")
        holder = passage.find(f"{q}identificationTitulaire/{q}identifiantNational")
        if holder is None:
            problems.append(f"passage {n} : identificationTitulaire/identifiantNational absent")
            continue
        if not re.fullmatch(r"[12378]\d{4}(\d{2}|2A|2B)\d{6}", value("nir", holder)):
            problems.append(f"passage {n} : nir de 13 caractères sans clé attendu")
        name = value("nomNaissance", holder)
        if not 1 <= len(name) <= 100 or name != name.upper():
            problems.append(f"passage {n} : nomNaissance en majuscules, 1 à 100 caractères")
    if not seen:
        problems.append("aucun passageCertification")
    return problems


def export(session: CertSession, *, by_id: int, now: datetime) -> Export:
    """Build, check and record an export (the records become « exported »), logged."""
    built = build_export(session, now=now)
    problems = check_export(built.xml)
    if problems:
        raise CertificationError(
            _l("Fichier CPF non conforme : %(problems)s", problems=" ; ".join(problems)), 409
        )
    for record in built.records:
        record.state, record.exported_at = "exported", now
    audit.record(
        session,
        actor_id=by_id,
        action="cpf_exported",
        now=now,
        subject={"id_flux": built.id_flux},
        after={
            "passages": [r.id_technique for r in built.records],
            "sha256": hashlib.sha256(built.xml).hexdigest(),
        },
    )
    return built


def import_receipt(
    session: CertSession, data: bytes, *, by_id: int, now: datetime
) -> dict[str, int]:
    """Read a processing receipt (passagesOK / passagesKO by idTechnique) and record it."""
    try:
        root = SafeET.fromstring(data)
    except Exception:  # noqa: BLE001  (defusedxml raises several kinds)
        raise CertificationError(_l("Compte rendu illisible : fichier XML attendu.")) from None
    mine = {r.id_technique: r for r in (of_candidate(c.id) for c in candidates(session.id)) if r}
    counts = {"accepted": 0, "rejected": 0, "unknown": 0}

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    for section in root.iter():
        name = local(section.tag)
        if name not in ("passagesOK", "passagesKO"):
            continue
        for passage in list(section):
            fields = {local(child.tag): (child.text or "").strip() for child in passage.iter()}
            errors = [
                (child.text or "").strip()
                for child in passage.iter()
                if local(child.tag) == "messageErreur"
            ]
            record = mine.get(fields.get("idTechnique", ""))
            if record is None:
                counts["unknown"] += 1
                continue
            record.state = "accepted" if name == "passagesOK" else "rejected"
            record.receipt_at = now
            record.receipt_message = "; ".join(e for e in errors if e)[:2000]
            counts[record.state] += 1
    audit.record(
        session,
        actor_id=by_id,
        action="cpf_receipt_imported",
        now=now,
        after=counts | {"sha256": hashlib.sha256(data).hexdigest()},
    )
    return counts


def purge(now: datetime) -> int:
    """Erase NIRs and birth names past their retention; return how many."""
    count = 0
    for record in db.session.scalars(
        select(CpfRecord).where(CpfRecord.purge_after <= now, CpfRecord.nir_encrypted.is_not(None))
    ):
        record.nir_encrypted = record.birth_name_encrypted = None
        record.purged_at = now
        audit.record(
            record.candidate.session,
            actor_id=None,
            action="cpf_data_purged",
            now=now,
            subject={"candidate_id": record.candidate_id, "id_technique": record.id_technique},
            before={"state": record.state},
            after={"purged": True},
        )
        count += 1
    return count
