"""Automatic checks of a candidate's dossier professionnel (épreuve 2), without Flask."""
