"""Typing-kill test's child: the real app types into a visit's note until killed.

It prints `VISIT <id>` once the visit is open, then `ACK <n>` each time the
app's own autosave has written a draft (or Ctrl+S a revision) holding the
first n characters of TYPED_TEXT. The parent kills it at a random moment.
"""

from __future__ import annotations

import sys
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

# Accents, ñ, a tab-free mix of what a clinician types; one string the test can
# rebuild exactly. Every character is typed as a real key event.
PHRASE = "Dolor lumbar L4–L5, rigidez matutina; señora Núñez, grado 6/10. "
KEYSTROKE_MS = 8  # faster than any typist: more typing at risk per kill
SAVE_EVERY = 150  # characters between the clinician's Ctrl+S


def typed_text(n: int) -> str:
    """The first n characters the child types."""
    return "".join(islice(cycle(PHRASE), n))


def main(data_dir: str) -> None:
    from PySide6.QtCore import QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from companion.app import build_ready

    window = build_ready(["--demo", "--data-dir", data_dir])
    ops = window.ops
    assert ops.create_patient(initials="TK").ok
    visit = ops.start_visit().value
    assert visit is not None
    editor = window.clinic.editor.notes["S"]
    autosave = window.clinic.editor.autosave
    window.activateWindow()
    editor.setFocus()
    out = sys.stdout
    out.write(f"VISIT {visit.id}\n")
    out.flush()

    def ack() -> None:
        # Runs after the autosave's own slot on the same timeout (slots run in
        # connection order), so the editor still holds exactly what it saved.
        out.write(f"ACK {len(editor.toPlainText())}\n")
        out.flush()

    autosave.draft_timer.timeout.connect(ack)
    letters = cycle(PHRASE)
    count = 0

    def type_one() -> None:
        nonlocal count
        # A key event carrying the character (QTest.keyClicks knows ASCII only).
        letter = next(letters)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier(0), letter)
            QApplication.sendEvent(editor, event)
        count += 1
        if count % SAVE_EVERY == 0:
            QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
            ack()

    timer = QTimer(interval=KEYSTROKE_MS)
    timer.timeout.connect(type_one)
    timer.start()
    QApplication.instance().exec()


if __name__ == "__main__":
    main(sys.argv[1])
