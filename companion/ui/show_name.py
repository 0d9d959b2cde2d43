"""The clinic's choice whether patient-facing pages greet the patient by first name."""

from __future__ import annotations

from companion.ui.settings import Settings

SHOW_NAME_KEY = "patient_screen/show_name"


def show_name_allowed(settings: Settings) -> bool:
    """Whether the clinic lets the patient screen greet the patient by first name."""
    return settings.get_str(SHOW_NAME_KEY, "false") == "true"
