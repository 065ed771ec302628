"""Every content type in one place, for code that builds on the course (grading, the web app).

The definitions live beside their parsers; this module only gathers them.
"""

from __future__ import annotations

from course.case_studies import CaseStudy, Choice, Step
from course.dossier import CHECKS, DossierGuide, DossierItem
from course.errors import ContentError
from course.frontmatter import COMPETENCIES, ID_PATTERN
from course.loader import Course, LoadResult
from course.modules import Module
from course.questionnaire import Blueprint, ExamCase, ItemBank
from course.questions import ExamItem, KnowledgeCheck, Proposition, Question, Segment

__all__ = [
    "CHECKS",
    "COMPETENCIES",
    "ID_PATTERN",
    "Blueprint",
    "CaseStudy",
    "Choice",
    "ContentError",
    "Course",
    "DossierGuide",
    "DossierItem",
    "ExamCase",
    "ExamItem",
    "ItemBank",
    "KnowledgeCheck",
    "LoadResult",
    "Module",
    "Proposition",
    "Question",
    "Segment",
    "Step",
]
