"""The gait engine: walking bouts, initial contacts and gait measures from a lower-back sensor."""

from __future__ import annotations

from backstride.gait._result import (
    GaitResult,
    GaitSummary,
    InitialContact,
    RecordingInfo,
    Subject,
    WalkingBout,
)

__all__ = [
    "GaitResult",
    "GaitSummary",
    "InitialContact",
    "RecordingInfo",
    "Subject",
    "WalkingBout",
]
