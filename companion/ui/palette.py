"""One palette for everything the patient sees: screen, handout and small chart."""

from __future__ import annotations

BACKGROUND = "#fbfaf7"  # warm paper: easier on the eyes than white on a wall TV
INK = "#15191d"
ACCENT = "#0f5d7a"
WARNING = "#9b1c14"
SOFT_INK = "#3d4750"
PAPER = "#ffffff"
GRID = "#d5d0c5"
RULE = "#c9c3b6"
# The open visit's levels on the diagram (Okabe–Ito vermillion: apart from the
# look-up selection's blue for colour-blind viewers too).
VISIT_MARK = "#d55e00"
