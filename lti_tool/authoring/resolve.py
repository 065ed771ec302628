"""Which case study or module a learner gets: a file of ``course/``, or a version authored in
the tool — the version their run or progress started on, else the latest published one."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from sqlalchemy import select

from course.case_studies import CaseStudy
from course.modules import Module
from lti_tool.authoring import checking, service
from lti_tool.content import course
from lti_tool.extensions import db
from lti_tool.models.authoring import KIND_CASE, KIND_MODULE, AuthoredContent, AuthoredImage
from lti_tool.models.core import Context
from lti_tool.models.learning import CasePlay, ModuleProgress
from lti_tool.rendering import LAUNCH_MARK


def _authored(context: Context, kind: str, slug: str) -> AuthoredContent | None:
    for content in service.offered(context, kind):
        if content.slug == slug:
            return content
    return None


def _image_names(content_id: int) -> tuple[tuple[str, bytes], ...]:
    names = db.session.scalars(
        select(AuthoredImage.name).where(AuthoredImage.content_id == content_id)
    )
    return tuple((name, b"") for name in sorted(names))


IMAGE_REF = re.compile(r"(!\[[^\]]*\]\(\s*<?)images/")


def image_prefix(content_id: int) -> str:
    """The address prefix of a content's images, with the token mark.

    The mark stands for the launch token, so rendered Markdown stays shared by every launch;
    ``lti_tool.rendering`` puts the page's own token in its place where content is rendered.
    """
    return f"/s/{LAUNCH_MARK}/auteur/contenus/{content_id}/images/"


def with_image_urls(found: CaseStudy | Module, content_id: int) -> CaseStudy | Module:
    """The content with ``images/<name>`` references pointing to the image route."""
    prefix = image_prefix(content_id)

    def fix(text: str) -> str:
        return IMAGE_REF.sub(lambda m: m.group(1) + prefix, text)

    if isinstance(found, Module):
        segments = tuple(
            replace(s, markdown=fix(s.markdown)) if s.question is None else s
            for s in found.segments
        )
        return replace(found, segments=segments)
    steps = tuple(
        replace(
            s,
            narrative=fix(s.narrative),
            debrief=fix(s.debrief) if s.debrief is not None else None,
        )
        for s in found.steps
    )
    return replace(found, introduction=fix(found.introduction), steps=steps)


@lru_cache(maxsize=256)
def _displayed(
    kind: str, text: str, images: tuple[tuple[str, bytes], ...], content_id: int
) -> CaseStudy | Module | None:
    found = checking.parsed(kind, text, images)
    return None if found is None else with_image_urls(found, content_id)


def _version_content(content: AuthoredContent, number: int) -> CaseStudy | Module | None:
    version = service.version(content.id, number)
    if version is None:
        return None
    return _displayed(content.kind, version.text, _image_names(content.id), content.id)


def case_study(
    context: Context, case_id: str, user_id: int | None = None, *, fresh: bool = False
) -> tuple[CaseStudy | None, int | None, AuthoredContent | None]:
    """The case study, the authored version number (None for a file) and its content row.

    A learner (``user_id``) gets the version of their latest run unless ``fresh`` (a new run).
    """
    shipped = course().case_study(case_id)
    if shipped is not None:
        return shipped, None, None
    content = _authored(context, KIND_CASE, case_id)
    if content is None:
        return None, None, None
    number = content.published_version
    if user_id is not None and not fresh:
        started = db.session.scalar(
            select(CasePlay.authored_version)
            .where(
                CasePlay.context_id == context.id,
                CasePlay.user_id == user_id,
                CasePlay.case_id == case_id,
            )
            .order_by(CasePlay.run_no.desc())
            .limit(1)
        )
        number = started or number
    case = _version_content(content, number)
    return (case if isinstance(case, CaseStudy) else None), number, content


def module(
    context: Context, module_id: str, user_id: int | None = None
) -> tuple[Module | None, int | None, AuthoredContent | None]:
    """The module, the authored version number (None for a file) and its content row."""
    shipped = course().module(module_id)
    if shipped is not None:
        return shipped, None, None
    content = _authored(context, KIND_MODULE, module_id)
    if content is None:
        return None, None, None
    number = content.published_version
    if user_id is not None:
        started = db.session.scalar(
            select(ModuleProgress.authored_version).where(
                ModuleProgress.context_id == context.id,
                ModuleProgress.user_id == user_id,
                ModuleProgress.module_id == module_id,
            )
        )
        number = started or number
    found = _version_content(content, number)
    return (found if isinstance(found, Module) else None), number, content


def case_studies(context: Context) -> list[CaseStudy]:
    """Every case study of the course: the files, then those authored (latest versions)."""
    found: list[CaseStudy] = list(course().case_studies)
    for content in service.offered(context, KIND_CASE):
        case = _version_content(content, content.published_version)
        if isinstance(case, CaseStudy):
            found.append(case)
    return found


def modules(context: Context) -> list[Module]:
    """Every module of the course: the files and those authored (latest), by order."""
    found: list[Module] = list(course().modules)
    for content in service.offered(context, KIND_MODULE):
        mod = _version_content(content, content.published_version)
        if isinstance(mod, Module):
            found.append(mod)
    return sorted(found, key=lambda m: (m.order, m.id))


def image_owner(context: Context, content_id: int) -> AuthoredContent | None:
    """The content whose images a launch of this course may see (its own or shared ones)."""
    content = db.session.get(AuthoredContent, content_id)
    if content is None:
        return None
    if content.context_id == context.id:
        return content
    if content.published_version and content.shared and content.deleted_at is None:
        if content.context.registration_id == context.registration_id:
            return content
    return None


def authored_case(context_id: int, case_id: str, number: int) -> CaseStudy | None:
    """One version of an authored case study offered to a course (grades of finished runs)."""
    context = db.session.get(Context, context_id)
    if context is None:
        return None
    content = _authored(context, KIND_CASE, case_id)
    if content is None:
        return None
    case = _version_content(content, number)
    return case if isinstance(case, CaseStudy) else None
