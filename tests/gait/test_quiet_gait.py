"""Walking as quiet as standing still: where nothing in a stretch moves loudly, the activity gate comes down to a
share of that stretch's loudest movement (``ContactDetector.relative_activity``) and the walk is found by its
rhythm; standing still is not; a stretch with an ordinary walk in it keeps the fixed gate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from benchmarks import accuracy

from backstride.gait import ContactDetector, GaitPipeline
from backstride.recording import Recording

# one walk of each of the 13 participants of the 10 m walks
FIRST_WALKS = [f"{person}-1" for person in range(1, 14)]


def _steps_found(data: Path, detector: ContactDetector) -> tuple[list[int], float]:
    """The 10 m walks played 2x slower with 0.3x the movement (0.06 m/s² RMS: a slow, guarded walker as quiet
    as standing), analysed with ``detector``: each walk's step count minus the reference's, and the contact
    F1 the scorer gives over them."""
    errors = []
    score = accuracy.Score()
    for name in FIRST_WALKS:
        rec, meta, ref = accuracy.load_folder(data / "lowback-10m" / name)
        rec, ref = accuracy.slowed(rec, ref, 2.0)
        rec = accuracy.softened(rec, 0.3)
        result = GaitPipeline(detector=detector).run(rec, height_m=meta.get("height_m")).result_.to_dict()
        score.add(result, ref)
        a, b = ref["trial_s"]
        found = [c for c in result["initial_contacts"] if a - 0.5 <= c["time_s"] <= b + 0.5]
        errors.append(len(found) - ref["n_steps"])
    return errors, score.figures()["ic_f1"]


def test_a_walk_as_quiet_as_standing_is_found_by_its_rhythm(shared_data: Path) -> None:
    errors, f1 = _steps_found(shared_data, ContactDetector())
    # measured: F1 0.81 over the 13 walks, the step count off by 3 in the median (over all 76: 0.81, 3)
    assert f1 >= 0.75
    assert float(np.median(np.abs(errors))) <= 5
    fixed_errors, fixed_f1 = _steps_found(shared_data, ContactDetector(relative_activity=0.0))
    # the fixed gate (0.08 m/s²) alone loses most of these walks (over all 76: F1 0.55, off by 14.5)
    assert fixed_f1 < 0.65
    assert float(np.median(np.abs(fixed_errors))) > 8


def _standing_still() -> Recording:
    """The quiet stance of the 10 m walks (before each walk and after it, a second clear of its contacts),
    13 people, 7.4 minutes, joined end to end."""
    pieces = []
    for folder in accuracy.reference_folders("lowback-10m"):
        rec, _meta, ref = accuracy.load_folder(folder)
        times = [c["time_s"] for c in ref["initial_contacts"]]
        start, end = min([ref["trial_s"][0], *times]) - 1.0, max([ref["trial_s"][1], *times]) + 1.0
        for keep in (rec.time_s < start, rec.time_s > end):
            if keep.sum() > 100:
                pieces.append(rec.acc_mps2[keep])
    acc = np.concatenate(pieces)
    return Recording(100.0, np.arange(acc.shape[0]) / 100.0, acc)


@pytest.mark.parametrize("floor", [0.03, 0.02])
def test_standing_still_is_not_walking_however_low_the_gate(shared_data: Path, floor: float) -> None:
    still = _standing_still()
    assert still.n_samples / 100.0 > 400  # minutes of standing, not seconds
    # the gate brought down to its floor whatever the stretch's loudest movement
    detector = ContactDetector(relative_activity=1e-9, min_activity_threshold_mps2=floor)
    result = GaitPipeline(detector=detector).run(still, height_m=1.7).result_
    assert len(result.initial_contacts) == 0 and len(result.walking_bouts) == 0
    vertical = still.acc_mps2 @ (still.acc_mps2.mean(axis=0) / np.linalg.norm(still.acc_mps2.mean(axis=0)))
    assert detector.clone().detect(vertical, 100.0).activity_threshold_ == floor
    default = GaitPipeline().run(still, height_m=1.7).result_
    assert len(default.initial_contacts) == 0 and len(default.walking_bouts) == 0


def test_a_stretch_with_an_ordinary_walk_keeps_the_fixed_gate(shared_data: Path) -> None:
    rec, _meta, _ref = accuracy.load_folder(shared_data / "lowback-10m" / "1-1")
    vertical = rec.acc_mps2 @ (rec.acc_mps2.mean(axis=0) / np.linalg.norm(rec.acc_mps2.mean(axis=0)))
    detector = ContactDetector().detect(vertical, rec.sampling_rate_hz)
    assert detector.activity_threshold_ == 0.08
    quiet = ContactDetector().detect(0.1 * vertical, rec.sampling_rate_hz)
    # a tenth of the movement: 0.3 x its loudest second (about 1.2 m/s² x 0.1), below the fixed gate
    assert 0.03 < quiet.activity_threshold_ < 0.08
