"""Automatic checks of a candidate's dossier professionnel (épreuve 2): pure, no web, no database.

Public API::

    report = analyse(data, requirements, max_bytes=...)   # raises DossierFileError on a bad file
    report.to_json() / Report.from_json(...)               # plain data for storage
    compare(previous_report, report)                       # list[Change], str(change) is French
"""

from grading.dossier.checks import (
    CHECKS,
    DossierRequirement,
    Requirement,
    Settings,
    analyse,
    analyse_document,
)
from grading.dossier.detect import detect_type
from grading.dossier.document import Block, Document, Location, MetadataField
from grading.dossier.errors import DossierFileError
from grading.dossier.extract import extract
from grading.dossier.report import Change, Finding, ItemReport, Report, SectionSummary, compare
from grading.dossier.safety import Limits
from grading.dossier.sessions import SessionRow

__all__ = [
    "CHECKS",
    "Block",
    "Change",
    "Document",
    "DossierFileError",
    "DossierRequirement",
    "Finding",
    "ItemReport",
    "Limits",
    "Location",
    "MetadataField",
    "Report",
    "Requirement",
    "SectionSummary",
    "SessionRow",
    "Settings",
    "analyse",
    "analyse_document",
    "compare",
    "detect_type",
    "extract",
]
