"""The référentiel's evaluation criteria per competency (third column of seeds/000_*).

They are, verbatim, the lines of the jury's evaluation grids. Épreuve 1 assesses C1 and C2,
épreuve 2 (dossier + oral) C2 to C7 (DOMAIN.md, « The référentiel in one table »).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    """One line of a grid: ``C3.2``, its competency and its text."""

    id: str
    competency: str
    text: str


#: Competency -> (heading of its criteria, criteria).
CRITERIA: dict[str, tuple[str, tuple[str, ...]]] = {
    "C1": (
        "Conformité et qualité des modalités et conditions de réalisation",
        (
            "Le cadre réglementaire en vigueur est maîtrisé et appliqué : articles de référence dans le Code du travail (respect des trois phases, nature et teneur des investigations, restitution des résultats, réalisation d'un entretien de suivi à 6 mois etc.) et obligations Qualiopi pour les centres de bilans de compétences.",
            "Le cadre déontologique est connu : consentement, confidentialité, neutralité, etc.",
            "L'environnement du dispositif est connu et maîtrisé : acteurs du bilan de compétences, financements, concepts théoriques liés à l'élaboration de projet professionnel, etc.",
            "Les éventuelles situations de handicap chez des bénéficiaires sont prises en compte et des solutions sont proposées le cas échéant pour adapter l'accompagnement (en lien avec le réseau / référent handicap).",
        ),
    ),
    "C2": (
        "Qualité de la phase préliminaire",
        (
            "La démarche d'analyse de la demande est maîtrisée et outillée (grille APS, trame d'entretien, etc.).",
            "Les techniques de communication (questionnement, reformulation, écoute active) sont maîtrisées.",
            "La démarche du bilan, ses modalités et les possibilités de financement sont clairement expliquées.",
            "Les attentes et les besoins de la personne sont clairement identifiés (reconversion, création d'entreprise, changement de poste, etc.).",
            "Les réponses apportées aux éventuels questionnements de la personne sont claires et pertinentes.",
            "Le dispositif proposé est en adéquation avec les objectifs de la personne et son engagement est vérifié.",
        ),
    ),
    "C3": (
        "Pertinence de l'investigation",
        (
            "Les techniques d'entretien sont maîtrisées (directif, semi-directif, non directif) et utilisées à bon escient.",
            "Les composantes du parcours du bénéficiaire sont explorées et appréciées (étapes, choix, réussites, échecs, etc.).",
            "Les capacités et compétences du bénéficiaire sont explorées et appréciées.",
            "Les motivations, centres d'intérêt, valeurs, aspirations du bénéficiaire sont explorées et appréciées.",
            "Les potentiels du bénéficiaire et ses possibilités d'évolution/d'orientation professionnelle sont envisagés et examinés.",
            "Les ressources et outils proposés au bénéficiaire (fiches métier, sites, enquêtes métier, PMSMP, etc.) pour qu'il réalise des recherches par lui-même sur les métiers et/ou secteurs d'activité sont adaptés et pertinents.",
        ),
    ),
    "C4": (
        "Qualité de la posture adoptée",
        (
            "La notion de tiers extérieur et de neutralité est connue et prise en compte (obligation de moyen, pas de présupposé à vérifier, etc.).",
            "Le cadre de la prestation est clairement posé (contrat d'engagement, charte déontologique, etc.).",
            "Les limites de l'intervention sont connues.",
        ),
    ),
    "C5": (
        "Pertinence du choix des outils",
        (
            "Les différents types outils du bilan sont connus : génogramme, Inventaire des intérêts professionnels, portefeuille de compétences, grilles d'évaluation et d'autodiagnostic, tests psychométriques, etc.",
            "Les outils du bilan sont sélectionnés en fonction des besoins et de la progression du bénéficiaire.",
            "Les outils sont correctement mis en œuvre (restitution des résultats, précision des consignes et de l'objectif au bénéficiaire, etc.)",
        ),
    ),
    "C6": (
        "Qualité de la conclusion du bilan de compétences",
        (
            "Les résultats de la phase d'investigation sont fidèlement recensés et sélectionnés.",
            "Les leviers d'action possibles pour mettre en œuvre un projet professionnel sont identifiés (atouts, priorités, compétences transférables, réseau professionnel, etc.).",
            "Le(s) projet(s) professionnel(s) retenu(s) est/sont argumenté(s), réaliste(s) et cohérent(s).",
            "La synthèse est structurée et complète (circonstances du bilan de compétences, étapes du bilan, objectifs, éléments constitutifs du projet, etc.).",
            "Le plan d'action co-construit pour le(s) projet(s) élaboré(s) est pertinent et adapté au projet de la personne.",
            "L'ancrage du plan d'action est sécurisé par la planification d'un entretien de suivi sur la base des objectifs définis.",
        ),
    ),
    "C7": (
        "Qualité de la veille",
        (
            "Les outils et ressources de veille réglementaire, technique et technologique sont connus et utilisés à bon escient (newsletters, sites : site du ministère du travail, Centre Inffo, Acteurs de la compétence, etc.).",
            "Les différentes informations collectées sont appréciées et prises en compte.",
            "Des actions d'amélioration continue de ses pratiques sont identifiées (développement du réseau professionnel, analyse de pratiques, etc.)",
        ),
    ),
}

#: The competencies each épreuve assesses.
EPREUVE_1 = ("C1", "C2")
EPREUVE_2 = ("C2", "C3", "C4", "C5", "C6", "C7")
COMPETENCIES = tuple(CRITERIA)


def criteria(competencies: tuple[str, ...] | list[str]) -> list[Criterion]:
    """The grid's lines for these competencies, in the référentiel's order."""
    lines = []
    for competency in COMPETENCIES:
        if competency in competencies:
            for n, text in enumerate(CRITERIA[competency][1], start=1):
                lines.append(Criterion(f"{competency}.{n}", competency, text))
    return lines
