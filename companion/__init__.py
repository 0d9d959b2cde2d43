"""Spine Companion: an offline exam-room app for spine clinicians and their patients."""

from __future__ import annotations

__version__ = "0.1.0"
