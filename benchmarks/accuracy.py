"""Accuracy of the gait engine against reference recordings, scored the Mobilise-D way.

A detected walking bout matches a reference bout when their intervals overlap by at least 80 %
(intersection over union); errors are averaged over matched bouts. An initial contact counts as found
within ±0.25 s of a reference contact (one-to-one). Contacts are scored only where the reference annotates
them: within 1 s of a reference walking bout (lab data), or inside the 10 m walk (where the step count is
compared too). These are the rules of ``../shared/tools/eval_gait.py``; this module applies them in-process
so tests and benchmarks can score the library directly.

Run ``python benchmarks/accuracy.py [--rotate]`` for the figures on ``../shared/data``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import apps
from benchmarks._shared import SHARED_DATA
from benchmarks.datasets import random_rotation, rotations_about, rotations_to_up

ROOT = Path(__file__).resolve().parents[1]
DATA = SHARED_DATA
IC_TOLERANCE_S = 0.25
IOU_MIN = 0.8
WALK_MARGIN_S = 0.5  # the scorer keeps an engine's contacts within this of the 10 m walk (``trial_s``)
# The IPOL protocol (Voisard et al. 2023): 10 m out, a U-turn, 10 m back. The ground covered between a walk's
# first and last contact is that give or take the U-turn's arc and where the feet stood at the lines (about a
# metre), so it checks step and stride length on 12 people of known height, not to the centimetre.
WALK_DISTANCE_M = 20.0


def match_events(
    detected: list[float], reference: list[float], tol: float = IC_TOLERANCE_S
) -> tuple[int, list[float]]:
    """Greedy one-to-one matching of each reference event to its nearest unused detection within ``tol``."""
    pairs = matched_pairs(detected, reference, tol)
    return len(pairs), [e for _, _, e in pairs]


def matched_pairs(
    detected: list[float], reference: list[float], tol: float = IC_TOLERANCE_S
) -> list[tuple[int, int, float]]:
    """The pairs of :func:`match_events`: ``(i, j, |error|)``, ``i`` indexing ``sorted(detected)`` and ``j``
    ``sorted(reference)``, in reference order."""
    det = sorted(detected)
    used: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for j, r in enumerate(sorted(reference)):
        best_i, best_e = -1, tol
        for i, d in enumerate(det):
            if i in used:
                continue
            e = abs(d - r)
            if e <= best_e and (best_i < 0 or e < best_e):
                best_i, best_e = i, e
        if best_i >= 0:
            used.add(best_i)
            pairs.append((best_i, j, best_e))
    return pairs


def iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


@dataclass
class Score:
    tolerance_s: float = IC_TOLERANCE_S  # a contact is found within this of the reference's
    tp: int = 0
    n_detected: int = 0
    n_reference: int = 0
    timing_errors: list[float] = field(default_factory=list)
    bouts_reference: int = 0
    bouts_detected: int = 0
    bouts_matched: int = 0
    cadence_err: list[float] = field(default_factory=list)
    stride_err: list[float] = field(default_factory=list)
    speed_err: list[float] = field(default_factory=list)
    step_count_err: list[int] = field(default_factory=list)
    distance_m: list[float] = field(default_factory=list)

    def add(self, result: dict[str, Any], reference: dict[str, Any]) -> None:
        ics = [c["time_s"] for c in result.get("initial_contacts", [])]
        ref_ics = [c["time_s"] for c in reference["initial_contacts"]]
        if "trial_s" in reference:
            a, b = reference["trial_s"]
            walk = [
                c
                for c in result.get("initial_contacts", [])
                if a - WALK_MARGIN_S <= c["time_s"] <= b + WALK_MARGIN_S
            ]
            ics = [c["time_s"] for c in walk]
            self.step_count_err.append(len(ics) - int(reference["n_steps"]))
            # each contact carries the length of the step it ends (none without a height)
            lengths = [c["step_length_m"] for c in walk if c.get("step_length_m") is not None]
            if lengths:
                self.distance_m.append(float(sum(lengths)))
        elif "walking_bouts" in reference:
            spans = [(w["start_s"] - 1.0, w["end_s"] + 1.0) for w in reference["walking_bouts"]]
            ics = [t for t in ics if any(a <= t <= b for a, b in spans)]
        tp, errs = match_events(ics, ref_ics, self.tolerance_s)
        self.tp += tp
        self.n_detected += len(ics)
        self.n_reference += len(ref_ics)
        self.timing_errors += errs
        if "walking_bouts" in reference:
            det = result.get("walking_bouts", [])
            self.bouts_reference += len(reference["walking_bouts"])
            self.bouts_detected += len(det)
            for rw in reference["walking_bouts"]:
                cands = [(iou((rw["start_s"], rw["end_s"]), (d["start_s"], d["end_s"])), d) for d in det]
                cands = [c for c in cands if c[0] >= IOU_MIN]
                if not cands:
                    continue
                d = max(cands, key=lambda c: c[0])[1]
                self.bouts_matched += 1
                for key, acc in (
                    ("cadence_spm", self.cadence_err),
                    ("stride_length_m", self.stride_err),
                    ("walking_speed_mps", self.speed_err),
                ):
                    if d.get(key) is not None and rw.get(key) is not None:
                        acc.append(abs(d[key] - rw[key]))

    def figures(self) -> dict[str, Any]:
        def mean(xs: list[float]) -> float | None:
            return round(statistics.fmean(xs), 4) if xs else None

        denom = self.n_detected + self.n_reference
        return {
            "ic_f1": round(2 * self.tp / denom, 4) if denom else 0.0,
            "ic_timing_mae_s": mean(self.timing_errors),
            "wb_ref": self.bouts_reference,
            "wb_det": self.bouts_detected,
            "wb_matched": self.bouts_matched,
            "cadence_mae_spm": mean(self.cadence_err),
            "stride_length_mae_m": mean(self.stride_err),
            "walking_speed_mae_mps": mean(self.speed_err),
            "step_count_abs_err_median": (
                statistics.median(abs(s) for s in self.step_count_err) if self.step_count_err else None
            ),
            "walk_distance_median_m": (
                round(statistics.median(self.distance_m), 2) if self.distance_m else None
            ),
            "walk_distance_abs_err_median_m": (
                round(statistics.median(abs(d - WALK_DISTANCE_M) for d in self.distance_m), 2)
                if self.distance_m
                else None
            ),
            "walk_distance_iqr_m": (
                [round(q, 2) for q in np.percentile(self.distance_m, [25, 75]).tolist()]
                if self.distance_m
                else None
            ),
            "walks_with_distance": len(self.distance_m),
        }


def reference_folders(dataset: str) -> list[Path]:
    return sorted(p.parent for p in (DATA / dataset).rglob("reference.json"))


def load_folder(
    folder: Path, rotation: np.ndarray | None = None
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The recording of a reference folder (optionally rotated), its meta and its reference."""
    from backstride import io
    from backstride.recording import Recording

    rec = io.read(folder / "imu.csv", validate=False)
    if rotation is not None:
        rec = Recording(
            sampling_rate_hz=rec.sampling_rate_hz,
            time_s=rec.time_s,
            acc_mps2=rec.acc_mps2 @ rotation.T,
            gyr_dps=None if rec.gyr_dps is None else rec.gyr_dps @ rotation.T,
            metadata=rec.metadata,
            notes=rec.notes,
        )
    meta = json.loads((folder / "meta.json").read_text())
    ref = json.loads((folder / "reference.json").read_text())
    return rec, meta, ref


def resampled(rec: Any, rate_hz: float) -> Any:
    """The recording linearly resampled to ``rate_hz`` (as a phone sampling at another rate would give)."""
    from backstride.recording import Recording

    t = np.arange(0.0, rec.duration_s, 1.0 / rate_hz)
    acc = np.column_stack([np.interp(t, rec.time_s, rec.acc_mps2[:, k]) for k in range(3)])
    return Recording(sampling_rate_hz=rate_hz, time_s=t, acc_mps2=acc, metadata=rec.metadata)


def softened(rec: Any, factor: float) -> Any:
    """The recording with its dynamic acceleration (all but a 2-second moving average, i.e. gravity and
    slow posture changes) scaled by ``factor``: the trunk of a very slow or cautious walker moves about a
    third as much as in an ordinary walk."""
    from backstride.gait._filters import moving_average
    from backstride.recording import Recording

    slow = moving_average(rec.acc_mps2, round(2.0 * rec.sampling_rate_hz))
    acc = slow + factor * (rec.acc_mps2 - slow)
    return Recording(
        sampling_rate_hz=rec.sampling_rate_hz, time_s=rec.time_s, acc_mps2=acc, metadata=rec.metadata
    )


def reoriented_halfway(rec: Any, seed: int) -> Any:
    """The recording with its two halves in two different random orientations: a phone taken out and put
    back another way round in the middle of a recording (here, often in the middle of a walk)."""
    from backstride.recording import Recording

    acc = rec.acc_mps2.copy()
    half = acc.shape[0] // 2
    acc[:half] = acc[:half] @ random_rotation(seed).T
    acc[half:] = acc[half:] @ random_rotation(seed + 500).T
    return Recording(
        sampling_rate_hz=rec.sampling_rate_hz, time_s=rec.time_s, acc_mps2=acc, metadata=rec.metadata
    )


# A phone handled at a recording's ends (made up, not measured): held in the hand for HOLD_S with a hand's small
# movement, then put in place over PLACE_S, turned from the hand's orientation to the worn one while it is moved;
# at the end the same in reverse. Movement: white noise through two 0.15 s moving averages (most of it below
# 2 Hz, a hand's reach), HELD_RMS / PLACING_RMS per world axis.
HOLD_S, PLACE_S = 3.0, 2.0
HELD_RMS, PLACING_RMS = 0.1, 1.5


def handled(rec: Any, ref: dict[str, Any], seed: int, still_s: float = 0.0) -> tuple[Any, dict[str, Any]]:
    """The recording with a phone's handling around it (``HOLD_S``, ``PLACE_S``): it starts in a random
    orientation in the hand and ends in the one the recording begins with (from its first second's gravity),
    and is taken off the same way at the end; ``still_s`` seconds of quiet standing (the recording's first or
    last second's mean, with 0.02 m/s² of noise) lie between the handling and the recording. The reference's
    times move with the recording; the angular rate, where there is one, is the handling's turning."""
    from backstride.recording import Recording

    rng = np.random.default_rng(seed)
    fs = rec.sampling_rate_hz
    quiet = round(still_s * fs)
    ends = [rec.acc_mps2[: round(fs)].mean(axis=0), rec.acc_mps2[-round(fs) :].mean(axis=0)]
    worn = rotations_to_up(np.array(ends))  # sensor to world (z up), gravity's direction turned up
    held = [random_rotation(seed + 7), random_rotation(seed + 9)]
    parts = [
        _handling(rng, fs, held[0], held[0], HOLD_S, HELD_RMS),
        _handling(rng, fs, held[0], worn[0], PLACE_S, PLACING_RMS),
        (ends[0] + rng.normal(0.0, 0.02, (quiet, 3)), np.zeros((quiet, 3))),
        (rec.acc_mps2, rec.gyr_dps),
        (ends[1] + rng.normal(0.0, 0.02, (quiet, 3)), np.zeros((quiet, 3))),
        _handling(rng, fs, worn[1], held[1], PLACE_S, PLACING_RMS),
        _handling(rng, fs, held[1], held[1], HOLD_S, HELD_RMS),
    ]
    acc = np.vstack([a for a, _ in parts])
    gyr = None if rec.gyr_dps is None else np.vstack([g for _, g in parts])
    before = (parts[0][0].shape[0] + parts[1][0].shape[0] + quiet) / fs
    out = Recording(
        sampling_rate_hz=fs,
        time_s=np.arange(acc.shape[0]) / fs,
        acc_mps2=acc,
        gyr_dps=gyr,
        metadata=rec.metadata,
    )
    return out, _moved(ref, lambda t: t + before)


def _handling(
    rng: np.random.Generator, fs: float, start: np.ndarray, end: np.ndarray, seconds: float, rms: float
) -> tuple[np.ndarray, np.ndarray]:
    """``seconds`` of a phone in the hand turning from ``start`` to ``end`` (sensor-to-world rotations; eased
    in and out, about one axis) while moved by ``rms`` m/s² per world axis (a turning phone's movement rising
    from rest and settling again, under a half sine): the acceleration it measures (gravity included) and its
    angular rate, deg/s."""
    from backstride.gait._filters import moving_average
    from backstride.recording import GRAVITY_MPS2

    n = round(seconds * fs)
    rel = start.T @ end
    angle = float(np.arccos(np.clip((np.trace(rel) - 1.0) / 2.0, -1.0, 1.0)))
    if angle > 1e-6:  # else the same orientation (arccos near 1 is good to about 1e-8)
        w, vecs = np.linalg.eig(rel)  # the turning axis: the eigenvector of eigenvalue 1
        axis = np.real(vecs[:, int(np.argmin(np.abs(w - 1.0)))])
        axis /= np.linalg.norm(axis)
        if not np.allclose(rotations_about(axis[None, :], np.array([angle]))[0], rel, atol=1e-6):
            axis = -axis
    else:
        axis, angle = np.array([0.0, 0.0, 1.0]), 0.0
    u = np.linspace(0.0, 1.0, n)
    u = u * u * (3.0 - 2.0 * u)
    path = start @ rotations_about(np.broadcast_to(axis, (n, 3)), u * angle)
    width = round(0.15 * fs)
    hand = moving_average(moving_average(rng.standard_normal((n, 3)), width), width)
    hand *= rms / max(float(hand.std()), 1e-12)
    if angle > 1e-6:  # a phone being placed starts from the hand and comes to rest where it is placed
        hand *= np.sin(np.pi * np.linspace(0.0, 1.0, n))[:, None]
    force = hand + np.array([0.0, 0.0, GRAVITY_MPS2])  # what an accelerometer measures, in the world frame
    acc = np.einsum("nji,nj->ni", path, force)  # in the sensor's frame
    rate = np.degrees(np.append(np.diff(u), 0.0) * angle * fs)[:, None] * axis[None, :]
    return acc, rate


def limping(rec: Any, ref: dict[str, Any], asymmetry: float) -> tuple[Any, dict[str, Any]]:
    """The recording time-warped into a limp, and its reference warped alike.

    Between consecutive reference contacts time runs alternately slower and faster, so the steps become
    ``1 + asymmetry`` and ``1 - asymmetry`` times as long (0.3: 0.7 s and 0.4 s instead of 0.55 s, a step-time
    ratio of 1.9, as in a marked antalgic or hemiparetic gait) while each stride keeps its duration; the
    signal between contacts is the recorded one, stretched or squeezed (:func:`_between_contacts`).
    """
    return _between_contacts(rec, ref, lambda k: np.where(k % 2 == 1, 1.0 + asymmetry, 1.0 - asymmetry))


def irregular(rec: Any, ref: dict[str, Any], cv: float, seed: int) -> tuple[Any, dict[str, Any]]:
    """The recording time-warped so that its step times vary at random, and its reference warped alike.

    Each interval between consecutive reference contacts is made ``f`` times as long, ``f`` drawn from a
    normal distribution of mean 1 and standard deviation ``cv`` (clipped to 1 ± 2.5 ``cv``), independently
    step by step: a step-time coefficient of variation of about ``cv`` on top of the walker's own. Healthy
    adults vary by 2–4 %; Parkinson's disease, multiple sclerosis, cerebellar ataxia or a fall-prone older
    walker 5–15 % (Hausdorff 2005, "Gait variability: methods, modeling and meaning", J NeuroEng Rehabil
    2:19). The signal between contacts is the recorded one, stretched or squeezed (:func:`_between_contacts`).
    """
    rng = np.random.default_rng(seed)
    return _between_contacts(
        rec, ref, lambda k: np.clip(rng.normal(1.0, cv, k.size), 1.0 - 2.5 * cv, 1.0 + 2.5 * cv)
    )


def _between_contacts(rec: Any, ref: dict[str, Any], factors: Any) -> tuple[Any, dict[str, Any]]:
    """``rec`` with the time between its reference contacts ``k`` and ``k + 1`` (``k`` from 1) multiplied by
    ``factors(k)``, the signal there the recorded one stretched or squeezed (acceleration and angular rate),
    and the reference's contacts, bouts and walk moved with the same time map. Before the first contact and
    after the last, time is not changed."""
    from backstride.recording import Recording

    ics = np.array(sorted(c["time_s"] for c in ref["initial_contacts"]))
    knots_old = np.concatenate([[0.0], ics, [rec.time_s[-1]]])
    durations = np.diff(knots_old)
    inner = np.arange(1, durations.size - 1)  # intervals between two contacts
    durations[inner] *= factors(inner)
    knots_new = np.concatenate([[0.0], np.cumsum(durations)])
    t_new = np.arange(0.0, knots_new[-1], 1.0 / rec.sampling_rate_hz)
    t_old = np.interp(t_new, knots_new, knots_old)

    def warp(x: Any) -> Any:
        return (
            None if x is None else np.column_stack([np.interp(t_old, rec.time_s, x[:, k]) for k in range(3)])
        )

    warped = Recording(
        sampling_rate_hz=rec.sampling_rate_hz,
        time_s=t_new,
        acc_mps2=warp(rec.acc_mps2),
        gyr_dps=warp(rec.gyr_dps),
        metadata=rec.metadata,
    )
    return warped, _moved(ref, lambda t: float(np.interp(t, knots_old, knots_new)))


def _moved(ref: dict[str, Any], move: Any, bout_rates: float = 1.0) -> dict[str, Any]:
    """The reference with its contacts, walk (``trial_s``) and bouts moved by the time map ``move``, and its
    bouts' cadence and speed multiplied by ``bout_rates``."""

    def bout(w: dict[str, Any]) -> dict[str, Any]:
        moved = dict(w, start_s=move(w["start_s"]), end_s=move(w["end_s"]))
        for key in ("cadence_spm", "walking_speed_mps"):
            if moved.get(key) is not None:
                moved[key] *= bout_rates
        return moved

    out = dict(ref, initial_contacts=[dict(c, time_s=move(c["time_s"])) for c in ref["initial_contacts"]])
    if "trial_s" in ref:
        out["trial_s"] = [move(t) for t in ref["trial_s"]]
    if "walking_bouts" in ref:
        out["walking_bouts"] = [bout(w) for w in ref["walking_bouts"]]
    return out


def slowed(rec: Any, ref: dict[str, Any], factor: float) -> tuple[Any, dict[str, Any]]:
    """The recording played ``factor`` times slower, as a much slower walker would move, and its reference
    moved alike (``factor`` below 1: faster, a brisker or a shuffling walker's quick steps).

    Time is stretched by ``factor`` (steps ``factor`` times as long: cadence 105 becomes 52 steps/min at
    2×) and the dynamic acceleration (all but a 2-second moving average: gravity and posture) is divided by
    ``factor²``, as it is for the same movement made slower. Reference contacts, bouts and walks move with
    the time; the bouts' cadence and speed are divided by ``factor``. A synthetic check: real slow gait is
    not only slower, but no such reference recordings are at hand.
    """
    from backstride.gait._filters import moving_average
    from backstride.recording import Recording

    fs = rec.sampling_rate_hz
    still = moving_average(rec.acc_mps2, round(2.0 * fs))
    acc = still + (rec.acc_mps2 - still) / factor**2
    t_new = np.arange(0.0, rec.time_s[-1] * factor, 1.0 / fs)
    acc = np.column_stack([np.interp(t_new / factor, rec.time_s, acc[:, k]) for k in range(3)])
    slow = Recording(sampling_rate_hz=fs, time_s=t_new, acc_mps2=acc, metadata=rec.metadata)
    return slow, _moved(ref, lambda t: t * factor, bout_rates=1.0 / factor)


def displaced(rec: Any, down_m: float, side_m: float) -> Any:
    """The recording as a sensor ``down_m`` lower and ``side_m`` to the side would have measured it: a phone
    worn on the side of the belt, or lower, instead of over the spine.

    The trunk and pelvis move as one rigid body, so the angular rate is the same at both places, and the
    acceleration at a point ``r`` away is ``f + α×r + ω×(ω×r)`` (the lever-arm terms of strapdown inertial
    navigation; Titterton & Weston 2004, "Strapdown Inertial Navigation Technology", 2nd ed., IET), with
    ``ω`` the recorded angular rate and ``α`` its derivative, all in the sensor's axes. Down is gravity's mean
    direction; the side is the direction of the most side-to-side sway (0.3–1.3 Hz, made horizontal), since
    the sensor's axes are not the body's in every data set; which side its sign points to is arbitrary.
    The angular rate is smoothed over 3 samples and its derivative over 5 before use (differentiation
    amplifies the gyroscope's noise). Needs a gyroscope.
    """
    from backstride.gait._filters import bandpass, moving_average
    from backstride.recording import Recording

    if rec.gyr_dps is None:
        raise ValueError("a displaced sensor is simulated from the angular rate: the recording has none")
    fs = rec.sampling_rate_hz
    acc = rec.acc_mps2
    up = acc.mean(axis=0)
    up = up / np.linalg.norm(up)
    sway = bandpass(acc - acc.mean(axis=0), 0.3, 1.3, fs, axis=0)
    sway = sway - np.outer(sway @ up, up)  # horizontal, so the direction of most sway is too
    side = np.linalg.eigh(sway.T @ sway)[1][:, -1]
    r = side_m * side - down_m * up
    omega = moving_average(np.radians(rec.gyr_dps), 3)
    alpha = moving_average(np.gradient(omega, axis=0) * fs, 5)
    lever = np.cross(alpha, r) + np.cross(omega, np.cross(omega, r))
    return Recording(
        sampling_rate_hz=fs,
        time_s=rec.time_s,
        acc_mps2=acc + lever,
        gyr_dps=rec.gyr_dps,
        metadata=rec.metadata,
        notes=rec.notes,
    )


def imperfect(
    rec: Any,
    *,
    seed: int,
    noise_mps2: float = 0.0,
    offset_mps2: float = 0.0,
    gyro_offset_dps: float = 0.0,
    range_g: float | None = None,
    bits: int | None = None,
) -> Any:
    """``rec`` as a cheaper or uncalibrated sensor would have measured it: white noise of standard deviation
    ``noise_mps2`` on every axis; each axis off by a constant drawn from ±``offset_mps2`` (the gyroscope's
    from ±``gyro_offset_dps``); rounded to a ``bits``-bit converter's steps over ±``range_g`` and clipped
    there. For scale, from MEMS inertial units' data sheets (e.g. Bosch BMI160, 2020): an accelerometer's
    noise of about 180 µg/√Hz, 0.013 m/s² over a 50 Hz band, a zero-g offset of up to ±40 mg (0.4 m/s²),
    a gyroscope's zero-rate offset of up to ±3 deg/s, ranges of ±2 to ±16 g at 16 bits."""
    from backstride.recording import GRAVITY_MPS2, Recording

    rng = np.random.default_rng(seed)
    acc = rec.acc_mps2 + rng.uniform(-offset_mps2, offset_mps2, 3)
    if noise_mps2:
        acc = acc + rng.normal(0.0, noise_mps2, acc.shape)
    if range_g is not None:
        if bits is not None:
            step = 2.0 * range_g * GRAVITY_MPS2 / 2**bits
            acc = np.round(acc / step) * step
        acc = np.clip(acc, -range_g * GRAVITY_MPS2, range_g * GRAVITY_MPS2)
    gyr = rec.gyr_dps
    if gyr is not None and gyro_offset_dps:
        gyr = gyr + rng.uniform(-gyro_offset_dps, gyro_offset_dps, 3)
    return Recording(
        sampling_rate_hz=rec.sampling_rate_hz,
        time_s=rec.time_s,
        acc_mps2=acc,
        gyr_dps=gyr,
        metadata=rec.metadata,
        notes=rec.notes,
    )


def exported(rec: Any, app: str, seed: int) -> Any:
    """``rec`` written as the phone ``app`` exports it (``benchmarks.apps``) and read back by ``io.read``."""
    from backstride import io

    with tempfile.TemporaryDirectory(prefix="backstride-app-") as tmp:
        return io.read(apps.export(app, rec, Path(tmp), seed))


def foot_agreement(dataset: str, app: str | None = None) -> float:
    """Share of the reference contacts found within ±0.25 s whose foot (left/right) backstride names right;
    with ``app``, each recording is first written as that phone app exports it and read back."""
    from backstride.gait import analyze

    right = found = 0
    for i, folder in enumerate(reference_folders(dataset)):
        rec, _, ref = load_folder(folder)
        if app is not None:
            rec = exported(rec, app, 3000 + i)
        ours = [c for c in analyze(rec).initial_contacts if c.foot is not None]
        times = np.array([c.time_s for c in ours])
        for contact in ref["initial_contacts"]:
            if times.size == 0:
                break
            j = int(np.argmin(np.abs(times - contact["time_s"])))
            if abs(times[j] - contact["time_s"]) <= IC_TOLERANCE_S:
                found += 1
                right += ours[j].foot == contact["foot"]
    return right / found if found else 0.0


def lean_error_lab() -> float:
    """Mean |error| (degrees) of the bouts' trunk lean on ``lowback-lab``, whose sensor axes are known.

    The sensor there was worn with x vertical and z antero-posterior (``meta.json``): the lean of its axis
    is the angle of gravity from x in the x-z plane over the bout. Compared without sign (the direction of z
    is not stated).
    """
    from backstride.gait import analyze
    from backstride.gait._filters import lowpass

    errors = []
    for folder in reference_folders("lowback-lab"):
        rec, _, _ = load_folder(folder)
        gravity = lowpass(rec.acc_mps2, 0.16, rec.sampling_rate_hz)
        for bout in analyze(rec).walking_bouts:
            if bout.trunk_lean_deg is None:
                continue
            inside = (rec.time_s >= bout.start_s) & (rec.time_s <= bout.end_s)
            gx, _, gz = np.median(gravity[inside], axis=0)
            errors.append(abs(abs(bout.trunk_lean_deg) - abs(float(np.degrees(np.arctan2(gz, gx))))))
    return float(np.mean(errors))


# Quiet standing moves the lower back's acceleration magnitude by 0.02-0.05 m/s² (spread over ±0.4 s); around
# 99 % of the reference contacts backstride finds in the 10 m walks, the spread is 0.46 m/s² or more.
STILL_SPREAD_MPS2 = 0.1
STILL_HALF_WINDOW_S = 0.4


def visible_contacts(rec: Any, ref: dict[str, Any]) -> tuple[list[float], dict[str, int]]:
    """The reference contacts of a 10 m walk that a lower-back recording can show, and how many were left out
    for each reason.

    The scorer keeps an engine's contacts only within ``WALK_MARGIN_S`` of the walk (``trial_s``) but scores
    every reference contact. Left out: those outside that window (the foot sensors went on recording), those
    after the lower-back recording's last sample, and those where the lower back is still (the spread of its
    acceleration magnitude over ±``STILL_HALF_WINDOW_S`` below ``STILL_SPREAD_MPS2``: no step moves it).
    """
    a, b = ref["trial_s"]
    magnitude = np.linalg.norm(rec.acc_mps2, axis=1)
    kept: list[float] = []
    left = {"outside the walk": 0, "after the recording": 0, "while the lower back is still": 0}
    for contact in ref["initial_contacts"]:
        t = float(contact["time_s"])
        if not a - WALK_MARGIN_S <= t <= b + WALK_MARGIN_S:
            left["outside the walk"] += 1
        elif t > rec.time_s[-1]:
            left["after the recording"] += 1
        else:
            near = np.abs(rec.time_s - t) <= STILL_HALF_WINDOW_S
            if near.sum() < 2 or magnitude[near].std() < STILL_SPREAD_MPS2:
                left["while the lower back is still"] += 1
            else:
                kept.append(t)
    return kept, left


def analysed(rec: Any, meta: dict[str, Any]) -> Any:
    """backstride's result for a reference recording, with the participant's height and sensor height from its
    ``meta.json`` (a missing or NaN height is "not given", as the shared runner passes it)."""
    from backstride.gait import analyze

    height = meta.get("height_m")
    height = height if isinstance(height, float) and np.isfinite(height) else None
    return analyze(rec, height_m=height, sensor_height_m=meta.get("sensor_height_m"))


def score_visible(dataset: str = "lowback-10m") -> dict[str, Any]:
    """The contact figures of ``dataset`` (10 m walks) scored on :func:`visible_contacts` only: what an
    engine that finds every step the lower back shows could reach. Returns the figures of :meth:`Score.figures`
    with ``n_reference``, ``n_visible`` and ``left_out`` (counts per reason)."""
    score = Score()
    left_out: dict[str, int] = {}
    n_reference = 0
    for folder in reference_folders(dataset):
        rec, meta, ref = load_folder(folder)
        kept, left = visible_contacts(rec, ref)
        n_reference += len(ref["initial_contacts"])
        for reason, n in left.items():
            left_out[reason] = left_out.get(reason, 0) + n
        result = analysed(rec, meta)
        score.add(result.to_dict(), {**ref, "initial_contacts": [{"time_s": t} for t in kept]})
    return {
        **score.figures(),
        "n_reference": n_reference,
        "n_visible": score.n_reference,
        "left_out": left_out,
    }


WALK_PHASES = ("outside the walk", "first step", "outgoing leg", "U-turn", "return leg", "last two steps")


def walk_phase(t: float, ref: dict[str, Any]) -> str:
    """Where in a 10 m walk (``trial_s``, ``u_turn_s``, ``initial_contacts``) the time ``t`` falls: outside the
    scored window, at the first step (up to the walk's first reference contact), on the outgoing leg, in the
    U-turn, on the return leg, or in the last two steps (after the third-to-last reference contact of the walk;
    the stop and the step that brings the feet together). A detection is placed a tolerance later than the
    reference contact it would match, so both sides of a near miss fall in the same phase."""
    a, b = ref["trial_s"]
    if not a - WALK_MARGIN_S <= t <= b + WALK_MARGIN_S:
        return WALK_PHASES[0]
    walk = sorted(
        c["time_s"] for c in ref["initial_contacts"] if a - WALK_MARGIN_S <= c["time_s"] <= b + WALK_MARGIN_S
    )
    u0, u1 = ref["u_turn_s"]
    if walk and t < walk[0] + IC_TOLERANCE_S:
        return WALK_PHASES[1]
    if len(walk) >= 3 and t > walk[-3] + IC_TOLERANCE_S:
        return WALK_PHASES[5]
    if u0 <= t <= u1:
        return WALK_PHASES[3]
    return WALK_PHASES[2] if t < u0 else WALK_PHASES[4]


def walk_errors(contacts: list[float], ref: dict[str, Any]) -> dict[str, dict[str, int]]:
    """A 10 m walk's contact errors by :func:`walk_phase`: the reference contacts there, those no detection
    matches (``missed``) and the detections that match none (``extra``), matched as the scorer matches them
    (detections kept within ``WALK_MARGIN_S`` of the walk, every reference contact scored)."""
    a, b = ref["trial_s"]
    det = sorted(t for t in contacts if a - WALK_MARGIN_S <= t <= b + WALK_MARGIN_S)
    reference = sorted(c["time_s"] for c in ref["initial_contacts"])
    pairs = matched_pairs(det, reference)
    found_det = {i for i, _, _ in pairs}
    found_ref = {j for _, j, _ in pairs}
    out: dict[str, dict[str, int]] = {
        k: dict.fromkeys(WALK_PHASES, 0) for k in ("reference", "missed", "extra")
    }
    for j, t in enumerate(reference):
        out["reference"][walk_phase(t, ref)] += 1
        if j not in found_ref:
            out["missed"][walk_phase(t, ref)] += 1
    for i, t in enumerate(det):
        if i not in found_det:
            out["extra"][walk_phase(t, ref)] += 1
    return out


def errors_by_phase(dataset: str = "lowback-10m") -> dict[str, dict[str, int]]:
    """:func:`walk_errors` summed over the 10 m walks of ``dataset``: where in a walk the contact F1 is lost."""
    total: dict[str, dict[str, int]] = {
        k: dict.fromkeys(WALK_PHASES, 0) for k in ("reference", "missed", "extra")
    }
    for folder in reference_folders(dataset):
        rec, meta, ref = load_folder(folder)
        contacts = [c["time_s"] for c in analysed(rec, meta).to_dict()["initial_contacts"]]
        for kind, counts in walk_errors(contacts, ref).items():
            for phase, n in counts.items():
                total[kind][phase] += n
    return total


def score_dataset(
    dataset: str,
    *,
    rotate: bool = False,
    rate_hz: float | None = None,
    amplitude: float | None = None,
    reorient: bool = False,
    limp: float | None = None,
    irregular_cv: float | None = None,
    slow: float | None = None,
    app: str | None = None,
    displace: tuple[float, float] | None = None,
    sensor: dict[str, Any] | None = None,
    handle: float | None = None,
) -> dict[str, Any]:
    """Analyse every reference recording of ``dataset`` in-process and score it (optionally rotated,
    resampled to another rate, with its movement scaled by ``amplitude``, turned round halfway, or
    time-warped into a limp with step-time ``limp`` asymmetry or into step times varying at random by
    ``irregular_cv``, or played ``slow`` times slower; or worn ``displace`` = ``(down, side)`` metres
    away from where it was, to one side and the other in turn (:func:`displaced`); or as measured by a
    noisier, uncalibrated or coarser ``sensor`` (the keywords of :func:`imperfect`); or with a phone's
    handling at both ends, ``handle`` seconds of standing still between it and the walk (:func:`handled`); or
    written as the phone ``app`` exports it and read back from that file, its format found by content)."""
    score = Score()
    # played slower, every timing error grows alike: the contacts are also scored with the tolerance stretched
    # by the same factor, which tells a detection lost from a contact found as well but further off in time
    stretched = Score(tolerance_s=IC_TOLERANCE_S * slow) if slow is not None else None
    for i, folder in enumerate(reference_folders(dataset)):
        rec, meta, ref = load_folder(folder, random_rotation(1000 + i) if rotate else None)
        if displace is not None:
            rec = displaced(rec, displace[0], displace[1] if i % 2 == 0 else -displace[1])
            if meta.get("sensor_height_m"):  # a measured height is the displaced sensor's own
                meta = dict(meta, sensor_height_m=meta["sensor_height_m"] - displace[0])
        if limp is not None:
            rec, ref = limping(rec, ref, limp)
        if irregular_cv is not None:
            rec, ref = irregular(rec, ref, irregular_cv, 4000 + i)
        if slow is not None:
            rec, ref = slowed(rec, ref, slow)
        if rate_hz is not None:
            rec = resampled(rec, rate_hz)
        if amplitude is not None:
            rec = softened(rec, amplitude)
        if reorient:
            rec = reoriented_halfway(rec, 2000 + i)
        if sensor is not None:
            rec = imperfect(rec, seed=5000 + i, **sensor)
        if handle is not None:
            rec, ref = handled(rec, ref, 6000 + i, still_s=handle)
        if app is not None:
            rec = exported(rec, app, 3000 + i)
        result = analysed(rec, meta)
        plain = result.to_dict()
        score.add(plain, ref)
        if stretched is not None:
            stretched.add(plain, ref)
    figures = score.figures()
    if stretched is not None:
        figures["ic_f1_tolerance_stretched"] = stretched.figures()["ic_f1"]
    return figures


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    rotate = "--rotate" in args
    for dataset in ("lowback-lab", "lowback-10m"):
        print(dataset, "rotated" if rotate else "", json.dumps(score_dataset(dataset, rotate=rotate)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
