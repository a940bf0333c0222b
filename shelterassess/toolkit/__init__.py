"""The peer team's visit toolkit (issue 10): a one-day agenda, an evidence checklist per
indicator, the resident interview and file-review protocols, the confidentiality
undertaking and what to do about abuse, detention or a child at risk (bilingual content in
``data/``, pages and PDFs); and escalated concerns, the record a team member makes of such
a concern, which only the national team (and the person who recorded it) sees and acts on.
"""
