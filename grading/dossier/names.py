"""Word lists for spotting person names without flagging the vocabulary of the bilan."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    Abdallah Abdelaziz Abdellah Abderrahmane Abdoul Abdourahmane Adel Adélaïde Adeline Adil Adja
    Adriana Adriano Agnieszka Ahmad Aïda Aimée Akim Alassane Alba Aldo Alejandro Aleksandra Alfred
    Alima Alioune Alix Aliya Allan Aloïs Alphonse Amani Amara Amaury Ambre Amel Amélia Aminata
    Anaelle Anaëlle Anastasia Andrea Andréa Andreï Angela Angèle Angelo Anissa Anna Annabelle
    Annick Annie-Claude Anouar Anthony Antoinette Arianne Arlette Armand Aron Astrid Atika Aubin
    Audrey Aurélia Ayoub Aziz Aziza Babacar Bakary Barbara Basile Baya Bénédicte Benoit Bernadette
    Bertille Bilal Binta Blaise Boubacar Brahima Brendan Brenda Bruna Carla Carlos Carmen Caroline
    Cassandre Catalina Cathy Cécilia Célestin Céleste Chadia Chaïma Chantale Charly Cheikh Chérif
    Christa Christel Clovis Coline Constant Cristina Cyrielle Dalia Damiano Dany Daouda Daphné
    Davy Deborah Débora Demba Diane Diego Dimitri Dina Djamila Djeneba Dominika Dounia Dylan
    Edmond Eléa Eléonore Elena Eliane Éliane Elif Elijah Ella Elliot Elodie Eloïse Elvire Emilio
    Emma-Louise Emmy Enzo Erica Ernest Esther Estelle Ethan Eugène Eva Evan Ewen Fabio Fadila
    Fanta Fanny Fatou Fatoumata Fernand Fernande Fernando Flavie Flora Floriane Francesca Franck
    Françoise Frida Gabin Gaby Gaétan Galina Gaston Gauthier Gema Georgette Géraldine Germain
    Germaine Gilberte Gina Giovanni Gisèle Grégoire Grégory Guilhem Guillemette Gwen Gwladys Habib
    Hadja Hafida Halima Hamza Hanane Harold Hawa Hédi Hélène Henriette Hervé Hind Honoré Hortense
    Hubert Idriss Ilan Ilona Imane Inaya Ingrid Isaline Ismaël Ismail Issa Ivan Jacinthe Jamel
    Janine Jannick Jason Javier Jawad Jean-Baptiste Jean-Charles Jean-Christophe Jean-Claude
    Jean-Daniel Jean-Louis Jean-Noël Jean-Philippe Jean-Yves Jennifer Jenny Jessy Jimmy Joanna
    Joëlle Johann John José Josée Josiane Josselin Judith Jules Julia Juliana Julio Justin Kader
    Kadiatou Kahina Kamel Kamila Karima Karl Kateryna Katarzyna Kelly Kenzo Kevin Khaled Khalid
    Kim Koffi Kouadio Kylian Laeticia Laïla Lakhdar Lalie Lamia Lancelot Laureen Lauriane Layla
    Leila Leïla Lena Léna Léon Léonard Léonie Leslie Lilou Linda Lino Lionel Lisa Lise Lison Livia
    Lorraine Louane Louis-Marie Loup Luc Lucas Lucien Ludmila Luis Luna Lydia Lyna Lynda Madeleine
    Madi Mady Magalie Maguy Mahmoud Maïa Maïwenn Malak Malick Malo Mamadou Manuel Manuela Marc-Antoine
    Marceau Marco Margaux Maria Mariama Marie-Anne Marie-Hélène Marie-Laure Marie-Noëlle Marie-Pierre
    Marie-Thérèse Mario Marwa Marwan Maryam Maryline Mathéo Mathias Matilda Matteo Mattéo Maurane
    Maxime Maya Mayeul Medhi Mélina Mélanie Meryem Mia Micheline Mikaël Milan Mireille Mohamed-Ali
    Mohammed Moïse Morgan Mourad Mustapha Myriam Nadège Nadir Nadjet Nahia Naïl Nancy Natacha
    Nathalie Nazim Nelson Nicole Nicolette Nils Noa Noah Nordine Norah Océane Odette Oumar Oumou
    Pablo Pascaline Paul-Henri Paulo Pedro Perrine Pierre-Yves Pierrick Priscilla Rachida Rafael
    Raphaëlle Raymonde Réda Régis Rémi Renée Ricardo Rita Robert Roberto Rodolphe Rokia Roland Rolande
    Romain Romy Rosa Rosine Ruben Rudy Rym Saïd Saïda Sakina Salah Salima Salma Salomon Samba Samuel
    Sandy Sara Sarah Seydou Shirley Silvia Simon Sirine Sixtine Sofia Solange Sonia Souleymane
    Stella Steve Steven Suzy Sylvia Tahar Tanguy Tarek Tess Théo Thibault Thibaut Thiago Tony
    Tristan Tyméo Valérie Vanessa Véra Vinh Virginie Wendy Wilfrid Xavière Yacouba Yaël Yamina
    Yasmina Yassin Yohann Yolande Youcef Younes Yousra Yves-Marie Zahra Zakaria Zeynep Zoé Zohra
    Anh Bao Binh Chau Duc Dung Hai Hanh Hien Hoa Hong Hung Huong Khanh Lan Linh Long Mai Minh Ngoc
    Phuong Quang Thanh Thao Thi Thu Thuy Trang Tuan Van Vy Wei Xin Yan Ying Yu
    """.split()
)

#: First names that are also common words or dates when capitalised (« Mai 2025 », « à Noël »).
FIRST_NAMES = FIRST_NAMES - frozenset(
    "Mai Long Van Loup Lou Yu Thi Lan Hong Bao Constant Noël".split()
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

#: Capitalised words of the INSEE file that are not used alone as first names in a dossier.
_NOT_FIRST_NAMES = frozenset(
    """
    France Mars Avril Juin Juillet Août Janvier Février Septembre Octobre Novembre Décembre
    Lundi Mardi Mercredi Jeudi Vendredi Samedi Dimanche Noël Pâques Toussaint Madame Monsieur
    The You May June July April August Time Will Just Great Any Young Sun Moon Summer Winter
    Autumn Forest Wood Cloud Sunny Hope Faith Joy
    """.split()
)


def data_lines(name: str) -> list[str]:
    """The entries of a word list in ``data/`` (one per line; blank lines and ``#`` comments
    left out)."""
    text = (Path(__file__).parent / "data" / name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def insee_first_names() -> frozenset[str]:
    """First names given in France 1900–2018 (INSEE's « Fichier des prénoms », Licence Ouverte
    2.0), those that are not also French words: ``data/prenoms_insee.txt``, built by
    bench/first_names_data.py. About 30,000 names; loaded once per process."""
    names = data_lines("prenoms_insee.txt")
    return frozenset(n for n in names if n not in _NOT_FIRST_NAMES) - NOT_NAMES_CAPITALISED


NOT_NAMES_CAPITALISED = frozenset(w.capitalize() for w in NOT_NAMES)


@lru_cache(maxsize=1)
def first_names_that_are_words() -> frozenset[str]:
    """First names of INSEE's file that are French words too (« Ange », « Rose », « Pierre »,
    « Olive »): ``data/prenoms_mots.txt``, built by bench/first_names_data.py. A name only where
    a person cue surrounds it (« Ange, son ancien directeur », « avec Rose »)."""
    names = data_lines("prenoms_mots.txt")
    return frozenset(n for n in names if n not in _NOT_FIRST_NAMES | {"Elle"} and "-" not in n)


@lru_cache(maxsize=1)
def organisation_kinds() -> tuple[str, ...]:
    """Kinds of organisation (« agence », « armement », « ESN », « start-up »): ``data/
    organisations.txt``, longest first (so « agence immobilière » is read before « agence »)."""
    kinds = set(data_lines("organisations.txt"))
    return tuple(sorted(kinds, key=lambda k: (-len(k), k)))
