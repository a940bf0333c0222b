"""Training needs (issue 8): the skills capacity-building actions name, the needs counted by
skill and province, and the follow-up trainings scheduled to answer them."""
