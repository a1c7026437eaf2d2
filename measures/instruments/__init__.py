"""Outcome instruments as data: one JSON document per instrument (phq9.json, gad7.json,
pcl5.json). ``measures.registry`` loads and validates them; ``measures.scoring`` scores
answers against them; ``manage.py load_instruments`` stores them in the database.

To add a public-domain instrument, add a JSON file here with the same fields (see
phq9.json) and run ``manage.py load_instruments``: no code changes. Every clinical
value (wording, answer labels, bands, codes, change rules) carries a ``source`` field
naming where it was published, because JSON has no comments. Leave a code empty when
it is not verified. Do not add copyrighted instruments (BDI-II, BAI, CADSS).
"""
