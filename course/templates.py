"""Starting points for content written in the tool: short, valid examples of each format.

They pass ``python -m course check`` as they are (a test makes sure), so a trainer starts from
something that works and changes it step by step, watching the checker.
"""

MODULE_TEMPLATE = """---
id: nouveau-module
title: Conduire l'entretien exploratoire
competencies: [C2]
order: 100
duration_minutes: 60
objectives:
  - Distinguer la demande exprimée du besoin
  - Formuler des objectifs de bilan avec le bénéficiaire
lang: fr
references: [L.6313-4, R.6313-4]
---

# Conduire l'entretien exploratoire

## La demande et le besoin

Texte, exemples tirés de la pratique, tableaux… Remplacez ce modèle par votre contenu : l'aperçu
à côté de l'éditeur montre la page telle que les stagiaires la verront.

> **À retenir** : la phase préliminaire analyse la demande et le besoin (R.6313-4).

## Vérifier ses connaissances

<!-- question: phase-preliminaire -->
À quoi sert la phase préliminaire du bilan ?

- [x] Analyser la demande et le besoin, définir les modalités du bilan
  > Oui : c'est la définition de l'article R.6313-4.
- [ ] Faire passer les tests d'intérêts
  > Non : les outils viennent en phase d'investigation, une fois la demande analysée.
- [ ] Rédiger le document de synthèse
  > Non : la synthèse relève de la phase de conclusion.

L'article R.6313-4 décrit trois phases ; la phase préliminaire analyse la demande et le besoin,
détermine le format le plus adapté et co-construit les modalités du bilan.
<!-- /question -->
"""

CASE_TEMPLATE = """---
id: nouvelle-etude-de-cas
title: Karim, orienté vers un bilan par son employeur
profile: |
  Karim, 45 ans, technicien de maintenance, arrive en disant que son employeur
  « lui a conseillé » de faire un bilan.
competencies: [C1, C2, C4, C7]
duration_minutes: 15
mode: practice
narrow_maxima:
  C4: court exemple en deux décisions ; la posture est travaillée dans les études complètes
---

Vous recevez Karim pour le premier entretien.

## Le premier entretien {#premier-entretien}

Karim : « C'est mon chef qui m'a dit de venir. Moi, je ne sais pas trop ce que je fais là. »

- [Je lui propose de commencer tout de suite un test d'intérêts](#fin-sans-adhesion)
  > Un outil avant l'analyse de la demande saute la phase préliminaire (R.6313-4).
- [Je lui explique que le bilan ne se fait qu'avec son accord, après avoir relu l'article L.6313-4 dans sa version en vigueur, et j'explore ce qu'il en attend](#analyse-demande) {C1 +2, C2 +1, C7 +1}
  > Le bilan suppose le consentement du salarié ; son refus n'est ni une faute ni un motif de licenciement (L.6313-4). Relire le texte en vigueur avant de l'expliquer, c'est la veille (C7).
- [Je lui dis que son employeur recevra la synthèse, puisqu'il a conseillé le bilan](#fin-sans-adhesion) {#synthese-employeur, critique}
  > Le bénéficiaire est seul destinataire des résultats et de la synthèse (L.6313-4) : annoncer le contraire est une erreur critique.

## L'analyse de la demande {#analyse-demande}

Karim se détend : « En fait, je me demande si je tiendrai physiquement jusqu'à la retraite. »

- [Je lui dis qu'il devrait plutôt viser un poste de bureau](#fin-sans-adhesion)
  > Le consultant n'oriente pas : il aide le bénéficiaire à construire son propre projet.
- [Je reformule, nous formulons ensemble les objectifs du bilan et je lui indique où vérifier lui-même les règles (service-public.fr, Mon Compte Formation)](#fin-bilan-engage) {C2 +2, C4 +1, C1 +1, C7 +2}
  > La reformulation vérifie la compréhension et co-construit les objectifs. Indiquer les sources officielles à jour relève de la veille (C7) et du cadre du bilan (C1).

## Fin : un bilan bien engagé {#fin-bilan-engage}

Karim signe son accord et repart avec les objectifs du bilan.

### Débriefing

Consentement vérifié, demande analysée, objectifs co-construits : la phase préliminaire est réussie.

## Fin : un bénéficiaire qui décroche {#fin-sans-adhesion}

Karim ne revient pas au deuxième rendez-vous.

### Débriefing

Sans adhésion ni analyse de la demande, le bilan perd son sens. Reprenez le module C2.
"""

TEMPLATES = {"module": MODULE_TEMPLATE, "case": CASE_TEMPLATE}
