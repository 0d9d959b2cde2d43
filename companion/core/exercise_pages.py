"""Patient-facing text of a home-exercise programme: a page per exercise and a tracker.

Pure functions over the exercise library, so the patient screen, the handout
and the tests all show the same words in the patient's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from companion.core.exercises import (
    ExerciseLibrary,
    Prescription,
    dose_parts,
    format_dose,
)

TRACKER_DAYS = 7
TICK_BOX = "☐"


@dataclass(frozen=True)
class ExercisePage:
    """One exercise as the patient sees it: frames, dose, steps and stop rule."""

    exercise_id: str
    language: str
    name: str
    frames: tuple[Path, ...]  # SVG key frames, start first
    dose: str  # one line: "2 sets, 10 times, hold 5 seconds, 2 times a day"
    dose_parts: tuple[str, ...]  # the same, one phrase per line for big type
    steps_heading: str
    steps: tuple[str, ...]
    feel_heading: str
    feel: str
    stop_heading: str
    stop: str
    precautions: str


@dataclass(frozen=True)
class WeeklyTracker:
    """A week of tick boxes: one row per exercise, one column per day."""

    title: str
    hint: str
    days: tuple[str, ...]
    rows: tuple[tuple[str, str], ...]  # (exercise name, dose line)


@dataclass(frozen=True)
class ProgrammeHandout:
    """The programme's handout page(s): every exercise page and the tracker."""

    language: str
    title: str
    page_reference: str  # the first page's pointer: "Your exercises are on page 2."
    pages: tuple[ExercisePage, ...]
    tracker: WeeklyTracker


def exercise_page(library: ExerciseLibrary, prescription: Prescription) -> ExercisePage:
    """The page for one prescribed exercise, with the prescribed (not default) dose."""
    item = library.exercise(prescription.exercise_id)
    labels = library.general
    return ExercisePage(
        exercise_id=item.id,
        language=library.language,
        name=item.name,
        frames=library.frame_paths(item.id),
        dose=format_dose(library, prescription.dose),
        dose_parts=dose_parts(library, prescription.dose),
        steps_heading=labels["steps_heading"],
        steps=item.steps,
        feel_heading=labels["feel_heading"],
        feel=item.feel,
        stop_heading=labels["stop_heading"],
        stop=item.stop,
        precautions=item.precautions,
    )


def weekly_tracker(
    library: ExerciseLibrary, items: Iterable[Prescription]
) -> WeeklyTracker:
    """The tick-box week for a programme, in the library's language."""
    days = tuple(library.general["weekdays"].split())
    if len(days) != TRACKER_DAYS:
        raise ValueError(f"weekdays must name {TRACKER_DAYS} days, got {days!r}")
    return WeeklyTracker(
        title=library.general["tracker_title"],
        hint=library.general["tracker_hint"],
        days=days,
        rows=tuple(
            (library.exercise(p.exercise_id).name, format_dose(library, p.dose))
            for p in items
        ),
    )


def programme_handout(
    library: ExerciseLibrary, items: Iterable[Prescription]
) -> ProgrammeHandout:
    """Every page of a programme's handout, in the library's language."""
    items = tuple(items)
    return ProgrammeHandout(
        language=library.language,
        title=library.general["programme_title"],
        page_reference=library.general["page_reference"],
        pages=tuple(exercise_page(library, p) for p in items),
        tracker=weekly_tracker(library, items),
    )


def handout_text(handout: ProgrammeHandout) -> str:
    """The programme as plain text (a printer-free copy, and what a PDF must say)."""
    lines = [handout.title, ""]
    for number, page in enumerate(handout.pages, start=1):
        lines += [f"{number}. {page.name}", page.dose, f"{page.steps_heading}:"]
        lines += [f"  {i}. {step}" for i, step in enumerate(page.steps, start=1)]
        lines += [f"{page.feel_heading}: {page.feel}", page.stop, page.precautions, ""]
    tracker = handout.tracker
    lines += [tracker.title, "  ".join(("", *tracker.days))]
    lines += [
        f"{name} ({dose})  " + "  ".join(TICK_BOX for _ in tracker.days)
        for name, dose in tracker.rows
    ]
    lines += [tracker.hint]
    return "\n".join(lines) + "\n"
