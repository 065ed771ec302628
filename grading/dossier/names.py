"""Word lists for spotting person names without flagging the vocabulary of the bilan."""

from __future__ import annotations

#: Common French first names (capitalised as written). « France », « Rose »… left out: too ambiguous.
FIRST_NAMES = frozenset(
    """
    Adam Adèle Adrien Agathe Agnès Alain Albert Alexandra Alexandre Alexis Alice Aline Alix Amandine
    Amélie Anaïs André Andrée Angélique Anne Annie Anthony Antoine Antonin Arnaud Arthur Audrey
    Aurélie Aurélien Axel Baptiste Benjamin Benoît Bernadette Bernard Bertrand Brigitte Bruno
    Camille Carine Carole Caroline Catherine Cécile Céline Chantal Charles Charlotte Chloé Christelle
    Christian Christiane Christine Christophe Claire Clara Claude Claudine Clément Clémence Colette
    Corinne Cyril Cyrille Damien Daniel Danielle David Delphine Denis Denise Didier Dominique
    Dylan Éléonore Élise Élodie Éloïse Emma Emmanuel Emmanuelle Enzo Éric Estelle Ethan Étienne
    Eugénie Éva Evelyne Fabien Fabienne Fabrice Fanny Fatima Fatoumata Florence Florian Francis
    Franck François Françoise Frédéric Frédérique Gabriel Gabrielle Gaëlle Gaëtan Geneviève Georges
    Gérald Gérard Ghislaine Gilbert Gilles Ginette Guillaume Guy Hakim Hélène Henri Hervé Hugo
    Hugues Inès Isabelle Jacqueline Jacques Jade Jean Jean-Claude Jean-François Jean-Luc Jean-Marc
    Jean-Marie Jean-Michel Jean-Paul Jean-Pierre Jeanne Jérémy Jérôme Joël Joëlle Johanna Jonathan
    Jordan Joseph Josiane Julie Julien Juliette Justine Karim Karima Karine Kevin Laetitia Laura
    Laure Laurence Laurent Léa Léna Léo Léon Lionel Louis Louise Luc Luca Lucas Lucie Lucien Lucienne
    Ludovic Lydie Madeleine Mael Maëlle Magali Malika Manon Marc Marcel Margaux Marguerite Maria
    Marianne Marie Marie-Christine Marie-Claude Marine Marion Martine Mathieu Mathilde Matthieu
    Maxime Mélanie Michel Michèle Mickaël Mireille Mohamed Monique Morgane Mounir Muriel Myriam
    Nadia Nadine Nathalie Nathan Nicolas Nicole Noah Noémie Océane Odile Olivier Pascal Pascale
    Patrice Patricia Patrick Paul Pauline Philippe Pierre Quentin Rachel Rachid Raphaël Raymond
    Régine Rémi Renaud René Richard Robert Rodolphe Roger Romain Sabine Samia Samir Samuel Sandra
    Sandrine Sarah Sébastien Serge Simon Simone Solène Sonia Sophie Stéphane Stéphanie Suzanne
    Sylvain Sylvie Théo Thérèse Thierry Thomas Timothée Tom Valentin Valérie Vanessa Véronique
    Victor Vincent Virginie Xavier Yann Yannick Yasmine Yves Yvette Yvonne Zoé
    Aaron Abdel Abdelkader Abdou Abdoulaye Abel Achille Adama Adrienne Ahmed Aïcha Aïssa Aissatou
    Alban Albane Alexia Ali Alicia Amadou Amandine Amine Amir Amina Anatole Anouk Apolline Ariane
    Armelle Arnaud Arsène Assia Aude Augustin Aurore Awa Aya Aymeric Bastien Béatrice Benoîte
    Bérénice Blandine Boris Brahim Brice Bryan Capucine Cédric Célia Charlène Chloé Christophe
    Clarisse Clotilde Coralie Corentin Cyprien Dalila Damien Djamel Djibril Dorian Driss Edwige
    Edith Edouard Édouard Elias Élie Eliott Élisa Elsa Émeline Émile Émilie Enora Erwan Erwann
    Esteban Eve Ève Fabienne Farid Fatiha Félix Florent Gaël Gaspard Gautier Gwenaël Gwenaëlle
    Gwendal Gwendoline Hamid Hannah Hassan Héloïse Hichem Houria Ibrahim Ibrahima Ilyes Inès Irène
    Isaac Jacky Jamal Jérémie Jessica Joachim Jocelyne Johan Jonas Josette Jules Juliane Karen
    Katia Kenza Khadija Killian Kylian Lamine Lana Laurène Léandre Léonie Léopold Liliane Lina
    Line Lisa Loïc Loïs Lola Lorenzo Louisa Louna Lou Lounis Loup Lucille Ludivine Lylou Maëlys
    Mahamadou Malik Mamadou Marceline Marcelle Margot Mariam Marina Marius Marjorie Marlène
    Martial Maryse Mathis Maud Maurice Maxence Mehdi Mélissa Mélodie Michaël Milo Mina Moussa
    Nabil Naïma Naomi Nassim Nathanaël Nawel Nelly Nina Ninon Noël Noémie Nolan Nora Norbert Nour
    Omar Oscar Ousmane Paola Paulette Pénélope Perrine Philomène Quitterie Rayan Rebecca Rémy
    Riad Robin Rodrigue Romane Romuald Ronan Rosalie Roxane Ryan Sabrina Sacha Salomé Salif
    Samira Sami Séverine Sidonie Siham Slimane Soazig Sofiane Soraya Sylvianne Tanguy Tatiana
    Théa Théodore Tiphaine Tristan Tugdual Ulysse Valentine Valéry Vianney Victoire Viviane Wassim
    Wilfried William Yacine Yanis Yassine Yoann Youssef Yoann Yvan Zacharie Zineb Ziad Zohra
    """.split()
)

#: Folded words that are not surnames after a capitalised word (and not first names before one).
NOT_NAMES = frozenset(
    """
    il elle ils elles nous vous je on lui eux date duree objet seance seances horaire horaires
    le la les l au aux du de des d en et ou par pour sur avec sans dans chez son sa ses mon ma mes
    notre nos votre vos leur leurs ce cet cette ces un une via selon apres avant entre puis
    methode test tests fiche fiches outil outils questionnaire inventaire grille phase phases annexe
    annexes tableau code article loi decret agence reseau dispositif certification formation titre
    label plateforme site logiciel modele approche analyse entretien entretiens bilan conseil service
    centre association entreprise societe groupe ville region departement type profil metier metiers
    niveau diplome brevet licence master dossier epreuve critere indicateur competence competences
    bloc norme referentiel mission cap pole france partie section chapitre etape semaine seance page
    total synthese plan prise contrat poste travail emploi locale local nord sud est ouest saint
    sainte cadre demande parcours posture exploration objectifs objectif action actions suivi
    consentement preliminaire investigation conclusion presentation introduction resultats resultat
    rogers porter holland super bourdieu maslow schein krumboltz guichard savickas bandura dubar
    freud lewin erikson jung piaget vygotski legendre lemoigne boterf mucchielli lemoine castel
    clot dejours vermersch pages riverin-simard dosnon aubret blanchard
    """.split()
)

#: Capitalised abbreviations common in a dossier (never a surname).
ACRONYMS = frozenset(
    """
    RIASEC IRMR PMSMP STAR CPF RQTH CEP OPCO OPCA ROME BMO DARES RNCP RS VAE CDI CDD RH DRH PME TPE
    ESAT MDPH AGEFIPH FIPHFP CAF APEC CIO CIDJ BTS DUT BUT CAP BEP BAC IUT UFR CNAM AFPA GRETA CFA
    ONISEP INSEE CCNA ITIL CISCO SQL URSSAF CPAM MSA SIRET SIREN TMS ALD AAH RSA ARE ASS PSE CSP FONGECIF CIF DIF QVT
    RPS CHSCT CSE RGPD CNIL MBTI DISC SOSIE PAPI HEXACO QCM PDF DOCX ODT URL COVID SMIC IDF PACA
    EPIDE ESS SIAE IAE MOOC ECTS RGAA WCAG LTI OK NB PS CV LM SAP ERP BTP EHPAD ADMR SSIAD AVS AES
    IDE ASH DEAES DEAS DEME DEES BAFA BAFD CACES HACCP SST PSC FLE DELF DALF TOEIC TOEFL IELTS
    """.split()
)
