"""Pure-Python domain: spine levels, clinical content, triage and progress rules."""
