"""ODK Collect / KoboCollect: a published score-sheet version as an XLSForm, and the
submissions of that form imported back into a draft self-assessment or a peer team's draft
peer assessment (docs/odk.md)."""
