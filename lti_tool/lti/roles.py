"""LTI roles to the tool's roles: only the person's role *in the course* grants anything.

The table (LTI 1.3 Core, appendix A.2, « LIS vocabulary for context roles »):

===========================================================  =========================
Context role (full URI, its sub-roles, or its simple name)   Tool role
===========================================================  =========================
``membership#Learner`` and ``membership/Learner#…``          trainee (stagiaire)
``membership#Instructor`` and ``membership/Instructor#…``    trainer (formateur)
``membership#ContentDeveloper`` and its sub-roles            trainer
``membership#Administrator`` and its sub-roles               admin (rights of a trainer)
``membership#Mentor``, ``#Manager``, ``#Member``,            none: the launch is refused
``#Officer`` and their sub-roles                             with a French page
institution and system roles (``institution/person#…``,      ignored: alone they give
``system/person#…``), any other URI                          no course rights
===========================================================  =========================

Decisions, for an appeal:

- Only roles in the context count. Canvas sends ``institution/person#Instructor`` to everyone
  who teaches *some* course and Moodle sends ``system/person#Administrator`` to site
  administrators: neither says anything about *this* course.
- Roles are matched by their exact URI from the vocabulary. The simple names the
  specification allows for context roles (« Instructor », « Learner »...) are recognised, for
  principal roles only; unknown or misspelt URIs are ignored, never guessed from their last
  word. ``membership/Learner#Instructor`` is a *Learner* sub-role in the vocabulary (it grants
  what Learner grants).
- Every sub-role of Instructor (TeachingAssistant, Grader, Lecturer...) makes a trainer: the
  vocabulary defines them as kinds of Instructor, appointed in the course by the platform,
  and a platform that follows the specification's best practice sends the principal Instructor
  role with them anyway; refusing the sub-role alone would give the same person different
  rights on different platforms.
- A launch that is both Learner and trainer in the course is a trainee: least privilege. A
  candidate must never see the trainers' pages (every dossier, the answer key), and the tool
  cannot tell in which capacity an ambiguous launch acts; a trainer who wants to try an
  activity uses the trainer preview.
- Mentors (observers, parents, tutors of a learner) get no access: the tool keeps no link
  between a mentor and their mentees, so the only safe answer is none.
"""

from __future__ import annotations

from lti_tool.models.core import ROLE_ADMIN, ROLE_TRAINEE, ROLE_TRAINER

#: The launch grants no page of the tool (refused with a French page, older sessions ended).
ROLE_NONE = "none"

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"

#: Principal context roles and their sub-roles (LTI 1.3 Core, A.2.3 and A.2.3.1).
CONTEXT_SUB_ROLES: dict[str, tuple[str, ...]] = {
    "Administrator": (
        "Administrator",
        "Developer",
        "ExternalDeveloper",
        "ExternalSupport",
        "ExternalSystemAdministrator",
        "Support",
        "SystemAdministrator",
    ),
    "ContentDeveloper": (
        "ContentDeveloper",
        "ContentExpert",
        "ExternalContentExpert",
        "Librarian",
    ),
    "Instructor": (
        "ExternalInstructor",
        "Grader",
        "GuestInstructor",
        "Lecturer",
        "PrimaryInstructor",
        "SecondaryInstructor",
        "TeachingAssistant",
        "TeachingAssistantGroup",
        "TeachingAssistantOffering",
        "TeachingAssistantSection",
        "TeachingAssistantSectionAssociation",
        "TeachingAssistantTemplate",
    ),
    "Learner": ("ExternalLearner", "GuestLearner", "Instructor", "Learner", "NonCreditLearner"),
    "Manager": ("AreaManager", "CourseCoordinator", "ExternalObserver", "Manager", "Observer"),
    "Member": ("Member",),
    "Mentor": (
        "Advisor",
        "Auditor",
        "ExternalAdvisor",
        "ExternalAuditor",
        "ExternalLearningFacilitator",
        "ExternalMentor",
        "ExternalReviewer",
        "ExternalTutor",
        "LearningFacilitator",
        "Mentor",
        "Reviewer",
        "Tutor",
    ),
    "Officer": ("Chair", "Communications", "Secretary", "Treasurer", "Vice-Chair"),
}

#: What each principal context role grants in the tool.
PRINCIPAL_GRANTS: dict[str, str] = {
    "Administrator": ROLE_ADMIN,
    "ContentDeveloper": ROLE_TRAINER,
    "Instructor": ROLE_TRAINER,
    "Learner": ROLE_TRAINEE,
    "Manager": ROLE_NONE,
    "Member": ROLE_NONE,
    "Mentor": ROLE_NONE,
    "Officer": ROLE_NONE,
}


def _context_roles() -> dict[str, str]:
    """Every recognised context role string -> its principal role."""
    table: dict[str, str] = {}
    for principal, subs in CONTEXT_SUB_ROLES.items():
        table[f"{MEMBERSHIP}#{principal}"] = principal
        table[principal] = principal  # the simple name (A.2.3), principal roles only
        for sub in subs:
            table[f"{MEMBERSHIP}/{principal}#{sub}"] = principal
    return table


#: Exact role string -> principal context role.
CONTEXT_ROLES = _context_roles()


def context_principals(roles: list[str]) -> set[str]:
    """The principal context roles a launch's roles name (institution, system, unknown: none)."""
    return {CONTEXT_ROLES[r] for r in roles if isinstance(r, str) and r in CONTEXT_ROLES}


def map_roles(roles: list[str]) -> str:
    """The tool role of a launch: trainee, trainer, admin, or none (see the module's table)."""
    grants = {PRINCIPAL_GRANTS[p] for p in context_principals(roles)}
    if ROLE_TRAINEE in grants:
        return ROLE_TRAINEE  # least privilege: a candidate never sees the trainers' pages
    if ROLE_ADMIN in grants:
        return ROLE_ADMIN
    if ROLE_TRAINER in grants:
        return ROLE_TRAINER
    return ROLE_NONE
