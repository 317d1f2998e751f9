"""The gait engine: walking bouts, initial contacts and gait measures from a lower-back sensor."""

from __future__ import annotations

from backstride.gait._base import Stage
from backstride.gait._bouts import BoutAssembler
from backstride.gait._contacts import ContactDetector
from backstride.gait._days import days_of
from backstride.gait._orientation import BodyFrame, GravityAligner
from backstride.gait._pelvis import PelvisMotion
from backstride.gait._pipeline import HEIGHT_NEEDED, GaitPipeline, analyze, analyze_stream
from backstride.gait._quality import GaitRegularity
from backstride.gait._result import (
    GaitResult,
    GaitSummary,
    InitialContact,
    RecordingInfo,
    Subject,
    WalkingBout,
)
from backstride.gait._spatial import StepLengthZijlstra
from backstride.gait._traces import VerticalTrace, vertical_traces

__all__ = [
    "HEIGHT_NEEDED",
    "BodyFrame",
    "BoutAssembler",
    "ContactDetector",
    "GaitPipeline",
    "GaitRegularity",
    "GaitResult",
    "GaitSummary",
    "GravityAligner",
    "InitialContact",
    "PelvisMotion",
    "RecordingInfo",
    "Stage",
    "StepLengthZijlstra",
    "Subject",
    "VerticalTrace",
    "WalkingBout",
    "analyze",
    "analyze_stream",
    "days_of",
    "vertical_traces",
]
