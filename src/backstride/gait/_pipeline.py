"""The gait pipeline: a recording in, a :class:`GaitResult` out.

Stages (each swappable, see ``_base.Stage``): gravity alignment → initial contacts → body frame and trunk
lean per contact → step length per step → walking bouts → per-bout figures and the recording summary.

Everything up to the bouts is *local*: a contact and its measures depend only on the samples within a
few seconds of it. The pipeline therefore works through a recording in blocks with a margin on both sides
and keeps only what falls in each block's core; a long recording never sits whole in memory, and a
chunked pass gives the same result as a single pass (tests prove it).
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from backstride._errors import InputError
from backstride._stats import median, percentile
from backstride._words import plural
from backstride.gait._base import Stage
from backstride.gait._bouts import BoutAssembler
from backstride.gait._contacts import ContactDetector
from backstride.gait._filters import FloatArray, moving_average
from backstride.gait._orientation import (
    BodyFrame,
    GravityAligner,
    alternating_feet,
    step_lags,
    trunk_lean_deg,
)
from backstride.gait._pelvis import DRAWN_MIN_S, PelvisMotion, drawn, integrated
from backstride.gait._quality import GaitRegularity
from backstride.gait._result import (
    LONG_BOUT_S,
    Foot,
    GaitResult,
    GaitSummary,
    InitialContact,
    RecordingInfo,
    Subject,
    WalkingBout,
)
from backstride.gait._spatial import StepLengthZijlstra
from backstride.gait._subject import subject as checked_subject
from backstride.recording import GYR_RAD_MAX_P99, Recording

MIN_SAMPLING_RATE_HZ = 20.0
MIN_DURATION_S = 3.0
SHORT_WARNING_S = 10.0
ANALYSIS_RATE_HZ = 25.0
TILT_WARNING_DEG = 30.0
# below this median magnitude the acceleration is not m/s² with gravity (in g: about 1; gravity removed: ~0.3)
MIN_GRAVITY_MPS2 = 4.0
# evenly spread samples of the first chunk that the input checks (units) look at: plenty for a median and a
# 99th percentile
JUDGED_SAMPLES = 20_000
# the 99th percentile of |a| off its median beyond which the wearer moved (walking: 3-9 m/s²; still: ~0.1)
MOVING_MPS2 = 1.5
# what the analysis says when it has neither height; each front end adds how to give one (a flag, a profile)
HEIGHT_NEEDED = "step length, stride length and walking speed need the body height or the sensor's height above the ground"
# what readers say of a file: a damaged week-long logger file can say something of many of its chunks
MAX_NOTES = 25

Progress = Callable[[float], None]


@dataclass
class _Local:
    """Per-contact and per-window findings of one block (absolute sample numbers)."""

    ic: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    strength: FloatArray = field(default_factory=lambda: np.zeros(0))
    step_length_m: FloatArray = field(
        default_factory=lambda: np.zeros(0)
    )  # to the next contact; nan: unknown
    excursion_m: FloatArray = field(default_factory=lambda: np.zeros(0))  # of that step, whatever the height
    lean_deg: FloatArray = field(default_factory=lambda: np.zeros(0))
    tilt_deg: FloatArray = field(default_factory=lambda: np.zeros(0))
    ml_velocity: FloatArray = field(default_factory=lambda: np.zeros(0))
    win_centre: FloatArray = field(default_factory=lambda: np.zeros(0))
    win_reg: FloatArray = field(default_factory=lambda: np.zeros(0))
    win_reg2: FloatArray = field(default_factory=lambda: np.zeros(0))
    pelvis_deg: FloatArray = field(default_factory=lambda: np.zeros((0, 3)))  # rotation, obliquity, tilt
    pelvis_drawn: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @staticmethod
    def concat(parts: list[_Local]) -> _Local:
        if not parts:
            return _Local()
        return _Local(
            **{k: np.concatenate([getattr(p, k) for p in parts]) for k in _Local.__dataclass_fields__}
        )


class GaitPipeline(Stage):
    """Measure walking in a lower-back recording.

    Parameters
    ----------
    aligner, detector, frame, step_length, assembler, pelvis:
        The stages; defaults follow the papers cited in their modules. A subclass of one (its action method
        overridden) is run in its place: each block works on a :meth:`~backstride.gait.Stage.clone` of it.
        What is read from each: the aligner's ``vertical_``, ``horizontal_`` and ``gravity_``; the detector's
        ``ic_samples_``, ``ic_position_``, ``ic_strength_``, ``period_centres_``, ``step_regularity_`` and
        ``stride_regularity_``; the step-length stage's ``step_length_m_`` and ``excursion_m_``; the frame's
        ``up_``, ``forward_``, ``left_``, ``forward_confidence_`` and ``ml_velocity_``; the assembler's
        ``bouts_``, ``walks_`` and ``closing_`` (its ``assemble`` is given the contacts' times, their impacts
        and the steps' excursions); the pelvis stage's ``rotation_deg_``, ``obliquity_deg_``, ``tilt_deg_``
        and ``drawn_`` (its ``measure`` is given the samples whose angular rate was drawn as ``drawn``).
    regularity:
        Kept for the stage's parameters only: the bouts' regularity and symmetry come from the detector's
        autocorrelation windows (``step_regularity_``, ``stride_regularity_``), not from this stage.
    block_s:
        Length of the block processed at once; long recordings are processed block by block.
    margin_s:
        Context on each side of a block; must exceed the reach of every local stage (a few seconds).
    threads:
        Blocks analysed side by side (2: a 24-hour recording in about 0.8 times the time of one thread;
        the result is the same). 1 where recordings are already analysed in parallel, as in a batch.

    Results
    -------
    result_:
        The :class:`GaitResult`.
    """

    def __init__(
        self,
        *,
        aligner: GravityAligner | None = None,
        detector: ContactDetector | None = None,
        frame: BodyFrame | None = None,
        step_length: StepLengthZijlstra | None = None,
        assembler: BoutAssembler | None = None,
        regularity: GaitRegularity | None = None,
        pelvis: PelvisMotion | None = None,
        block_s: float = 1800.0,
        margin_s: float = 30.0,
        threads: int = 2,
    ) -> None:
        self.aligner = aligner or GravityAligner()
        self.detector = detector or ContactDetector()
        self.frame = frame or BodyFrame()
        self.step_length = step_length or StepLengthZijlstra()
        self.assembler = assembler or BoutAssembler()
        self.regularity = regularity or GaitRegularity()
        self.pelvis = pelvis or PelvisMotion()
        self.block_s = block_s
        self.margin_s = margin_s
        self.threads = threads

    # -- the local stage -------------------------------------------------------------------------------
    def _local(
        self,
        signals: tuple[FloatArray, ...],
        fs: float,
        offset: int,
        core: tuple[int, int],
        sensor_height_m: float | None,
    ) -> _Local:
        """The contacts in the block's core and their measures; ``signals`` is the block's acceleration,
        and its angular rate when the recording has one."""
        # Walking lives below ~5 Hz: the stages run at about ANALYSIS_RATE_HZ after an anti-alias moving
        # average, on a sample grid aligned to absolute sample numbers (so blocks agree with one pass);
        # contact times are refined back to the original rate.
        q = max(int(fs // ANALYSIS_RATE_HZ), 1)
        first = (-offset) % q
        acc = signals[0]
        acc_d = moving_average(acc, q, every=q, first=first) if q > 1 else acc
        angle_d = integrated(signals[1], fs, q, first) if len(signals) > 1 else None
        fs_d = fs / q
        off_d = (offset + first) // q
        lo = -(-core[0] // q) - off_d
        hi = -(-core[1] // q) - off_d
        aligned = self.aligner.clone().align(acc_d, fs_d)
        det = self.detector.clone().detect(
            aligned.vertical_, fs_d, offset=off_d, horizontal_mps2=aligned.horizontal_
        )
        ic = det.ic_samples_
        sel = np.flatnonzero((ic >= lo) & (ic < hi))
        # the step from each contact to the next one (which may lie in the margin), as the step-length stage
        # gives it, so a stage of one's own sets the lengths reported
        steps = self.step_length.clone().estimate(aligned.vertical_, ic, fs_d, sensor_height_m)
        step_m = np.append(steps.step_length_m_, np.nan)
        excursion_m = np.append(steps.excursion_m_, np.nan)
        # frames at every contact of the block (its margins too: the contacts around a contact vote on its
        # forward sign), then those of the core
        frame = self.frame.clone().fit(
            acc_d, aligned.gravity_, ic, fs_d, step_samples=step_lags(ic, fs_d), angle_deg=angle_d
        )
        for name in ("up_", "forward_", "left_", "forward_confidence_", "ml_velocity_"):
            setattr(frame, name, getattr(frame, name)[sel])
        lean = trunk_lean_deg(frame.up_, frame.forward_)
        if angle_d is not None:
            pelvis = self.pelvis.clone().measure(
                angle_d,
                ic,
                sel,
                frame.up_,
                frame.forward_,
                frame.left_,
                fs_d,
                drawn=drawn(signals[1], fs, q, first),
            )
            pelvis_deg = np.column_stack([pelvis.rotation_deg_, pelvis.obliquity_deg_, pelvis.tilt_deg_])
            pelvis_drawn = pelvis.drawn_
        else:
            pelvis_deg = np.full((sel.shape[0], 3), np.nan)
            pelvis_drawn = np.zeros(sel.shape[0], dtype=bool)
        tilt = np.degrees(np.arccos(np.clip(np.abs(frame.up_).max(axis=1), 0.0, 1.0)))
        wc = det.period_centres_
        wsel = (wc >= lo) & (wc < hi)
        position = (det.ic_position_[sel] + off_d) * q
        return _Local(
            ic=np.round(position).astype(np.int64),
            strength=det.ic_strength_[sel],
            step_length_m=step_m[sel],
            excursion_m=excursion_m[sel],
            lean_deg=lean,
            tilt_deg=tilt,
            ml_velocity=frame.ml_velocity_,
            win_centre=(wc[wsel] + off_d) * q,
            win_reg=det.step_regularity_[wsel],
            win_reg2=det.stride_regularity_[wsel],
            pelvis_deg=pelvis_deg,
            pelvis_drawn=pelvis_drawn,
        )

    def _blocks(
        self, chunks: Iterable[Recording], fs: float, sensor_height_m: float | None
    ) -> Iterator[_Local]:
        """The local stage over consecutive blocks, in order; with ``threads`` > 1 the blocks are analysed
        side by side (numpy releases the GIL in its array work), and the next chunks are read meanwhile."""
        jobs = self._block_slices(chunks, fs)
        if self.threads <= 1:
            for signals, start, core in jobs:
                yield self._local(signals, fs, start, core, sensor_height_m)
            return
        from concurrent.futures import Future, ThreadPoolExecutor

        pending: deque[Future[_Local]] = deque()
        with ThreadPoolExecutor(self.threads, thread_name_prefix="backstride-block") as pool:
            try:
                for signals, start, core in jobs:
                    pending.append(pool.submit(self._local, signals, fs, start, core, sensor_height_m))
                    if len(pending) > self.threads:  # at most threads + 1 blocks in memory
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:  # an error or an interrupt: blocks not yet started are not run
                for future in pending:
                    future.cancel()

    def _block_slices(
        self, chunks: Iterable[Recording], fs: float
    ) -> Iterator[tuple[tuple[FloatArray, ...], int, tuple[int, int]]]:
        """Consecutive blocks of a stream of chunks, with margins: ``(signals, first sample, core
        interval)``; ``signals`` is the acceleration, and the angular rate when the recording has one.

        A block inside one chunk is a view of it; only a block across chunks is copied, and only its own
        samples (joining whole chunks cost a 2-hour file a tenth of a second on the reading thread)."""
        block = max(int(self.block_s * fs), 1)
        margin = int(self.margin_s * fs)
        pieces: deque[tuple[int, tuple[FloatArray, ...]]] = deque()  # (first sample, signals)
        n_parts = 0
        end = 0  # absolute sample number after the last piece
        core_lo = 0

        def take(a: int, b: int) -> tuple[FloatArray, ...]:
            """Samples ``[a, b)`` of the pieces (``b`` at most ``end``), dropping pieces before ``a``."""
            while pieces and pieces[0][0] + pieces[0][1][0].shape[0] <= a:
                pieces.popleft()
            parts = [tuple(x[max(a - s, 0) : b - s] for x in xs) for s, xs in pieces if s < b]
            if len(parts) == 1:
                return parts[0]
            return tuple(np.concatenate(col) for col in zip(*parts, strict=True))

        for chunk in chunks:
            parts = (chunk.acc_mps2,) if chunk.gyr_dps is None else (chunk.acc_mps2, chunk.gyr_dps)
            if not n_parts:
                n_parts = len(parts)
            elif len(parts) != n_parts:
                raise InputError("the chunks of one recording must all have a gyroscope, or none")
            if chunk.n_samples:
                pieces.append((end, tuple(np.asarray(x, dtype=np.float64) for x in parts)))
                end += chunk.n_samples
            while end >= core_lo + block + margin:
                a = max(core_lo - margin, 0)
                yield take(a, core_lo + block + margin), a, (core_lo, core_lo + block)
                core_lo += block
        if end > core_lo:
            a = max(core_lo - margin, 0)
            yield take(a, end), a, (core_lo, end)

    # -- the whole run ---------------------------------------------------------------------------------
    def run_stream(
        self,
        chunks: Iterable[Recording],
        *,
        height_m: float | None = None,
        sensor_height_m: float | None = None,
        age: float | None = None,
        sex: str | None = None,
        progress: Progress | None = None,
    ) -> GaitPipeline:
        """Analyse a recording given as consecutive chunks (see :func:`backstride.io.iter_chunks`)."""
        self._check_params()
        subject = checked_subject(height_m, sensor_height_m, age, sex)
        it = iter(chunks)
        first = next(it, None)
        if first is None:
            raise InputError("the recording holds no samples")
        fs = float(first.sampling_rate_hz)
        _check_rate(fs)
        _check_gravity(first)
        _check_angular_rate(first)
        meta = dict(first.metadata)
        notes = list(first.notes)
        state = {"n": 0, "gyr": first.gyr_dps is not None}

        def counted() -> Iterator[Recording]:
            for c in _chain(first, it):
                if c.sampling_rate_hz != fs:
                    raise InputError("the chunks of one recording must share one sampling rate")
                # what a reader found further on (a gap at hour 5, a cut-off last line) is said too
                notes.extend(n for n in c.notes if n not in notes)
                state["n"] = int(state["n"]) + c.n_samples
                if progress is not None:
                    progress(c.n_samples / fs)
                yield c

        local = _Local.concat(list(self._blocks(counted(), fs, subject.sensor_height_m)))
        n = int(state["n"])
        duration = n / fs
        if duration < MIN_DURATION_S:
            raise InputError(
                f"the recording is only {duration:.1f} s long; at least {MIN_DURATION_S:g} s is needed"
            )
        warnings_pre: list[str] = []
        if duration < SHORT_WARNING_S:
            warnings_pre.append(
                f"the recording is only {duration:.1f} s long; a walk of at least {SHORT_WARNING_S:.0f} s "
                "gives more reliable figures"
            )
        info = RecordingInfo(
            source=meta.get("source"),
            format=meta.get("format"),
            sampling_rate_hz=fs,
            duration_s=duration,
            has_gyroscope=bool(state["gyr"]),
            notes=_at_most(notes, MAX_NOTES),
            start_time=_text(meta.get("start_time")),
            device=_text(meta.get("device")),
        )
        result = self._assemble(local, fs, duration, subject, info)
        if warnings_pre:
            result = dataclasses.replace(result, warnings=warnings_pre + result.warnings)
        self.result_ = result
        return self

    def run(self, recording: Recording, **kwargs: Any) -> GaitPipeline:
        """Analyse a whole recording (processed block by block inside)."""
        self._check_params()
        fs = recording.sampling_rate_hz
        _check_rate(fs)
        step = max(int(self.block_s * fs), 1)
        chunks = (recording.slice(i, i + step) for i in range(0, max(recording.n_samples, 1), step))
        return self.run_stream(chunks, **kwargs)

    def _check_params(self) -> None:
        """Refuse block parameters that cannot work: a block under a second (a negative one became blocks
        of one sample each, and a 2-minute recording took minutes), a negative margin, no thread."""
        problems = []
        if not (isinstance(self.block_s, int | float) and self.block_s >= 1.0):
            problems.append(f"block_s must be at least 1 s, got {self.block_s!r}")
        if not (isinstance(self.margin_s, int | float) and 0.0 <= self.margin_s < float("inf")):
            problems.append(f"margin_s must be 0 s or more, got {self.margin_s!r}")
        if isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1:
            problems.append(f"threads must be a whole number of 1 or more, got {self.threads!r}")
        if problems:
            raise InputError(f"{type(self).__name__}: {'; '.join(problems)}")

    def _assemble(
        self, local: _Local, fs: float, duration: float, subject: Subject, info: RecordingInfo
    ) -> GaitResult:
        t = local.ic / fs
        assembled = self.assembler.clone().assemble(t, local.strength, local.excursion_m)
        bouts_idx, closing = assembled.bouts_, assembled.closing_.tolist()
        walks = assembled.walks_.tolist()
        lh = subject.sensor_height_m
        bouts: list[WalkingBout] = []
        contacts: list[InitialContact] = []
        warnings: list[str] = []
        drawn_strides = 0
        win_lo = np.searchsorted(local.win_centre, local.ic[bouts_idx[:, 0]], side="left")
        win_hi = np.searchsorted(local.win_centre, local.ic[bouts_idx[:, 1]], side="right")
        # every step time and every contact time as listed, at once: each bout takes its slice
        steps_s, listed_s = np.diff(t), np.round(t, 3)
        for (a, b), (wa, wb), w_lo, w_hi, close in zip(
            bouts_idx.tolist(), walks, win_lo.tolist(), win_hi.tolist(), closing, strict=True
        ):
            ta, tb = float(t[a]), float(t[b])
            dur = tb - ta
            step_times = steps_s[a:b]
            n_steps = int(b - a + 1)
            cadence = 60.0 * (b - a) / dur if dur > 0 else None
            step_len = None
            # each step's length, listed at the contact that ends it (the walk's first contact ends none), over
            # the walk: its starting and stopping steps are listed as contacts, outside the bout
            per_step: list[float | None] = [None] * (wb - wa + 1)
            if lh is not None:
                lengths = local.step_length_m[a:b]
                step_len = float(np.nanmean(lengths)) if np.isfinite(lengths).any() else None
                per_step[1:] = [_r(v, 3) for v in local.step_length_m[wa:wb].tolist()]
            speed = step_len * (b - a) / dur if step_len is not None and dur > 0 else None
            # feet alternate; the body moves toward the new stance foot at each contact
            last = close if close >= 0 else wb
            feet = alternating_feet(local.ml_velocity[wa : last + 1], t[wa : last + 1])
            # the bout's own steps: those ending at its contacts after its first
            by_foot = _foot_means(per_step[a - wa + 1 : b - wa + 1], feet[a - wa + 1 : b - wa + 1])
            reg = local.win_reg[w_lo:w_hi]
            reg2 = local.win_reg2[w_lo:w_hi]
            reg = reg[np.isfinite(reg)]
            reg2 = reg2[np.isfinite(reg2)]
            ad1 = float(reg.mean()) if reg.size else None
            ad2 = float(reg2.mean()) if reg2.size else None
            cv = (
                100.0 * float(step_times.std(ddof=1)) / float(step_times.mean())
                if step_times.size >= 3
                else None
            )
            # the strides inside the bout start at its contacts a .. b-2
            strides = local.pelvis_deg[a : max(b - 1, a)]
            pelvis = _column_medians(strides)
            drawn_strides += int(local.pelvis_drawn[a : max(b - 1, a)].sum())
            bouts.append(
                WalkingBout(
                    start_s=round(ta, 3),
                    end_s=round(tb, 3),
                    duration_s=round(dur, 3),
                    n_steps=n_steps,
                    cadence_spm=_r(cadence, 2),
                    step_length_m=_r(step_len, 3),
                    stride_length_m=_r(None if step_len is None else 2 * step_len, 3),
                    step_length_left_m=by_foot["left"],
                    step_length_right_m=by_foot["right"],
                    walking_speed_mps=_r(speed, 3),
                    trunk_lean_deg=_r(median(local.lean_deg[a : b + 1]), 1),
                    step_regularity=_r(ad1, 3),
                    stride_regularity=_r(ad2, 3),
                    symmetry=_r(ad1 / ad2 if ad1 is not None and ad2 is not None and ad2 > 0.05 else None, 3),
                    step_time_cv_pct=_r(cv, 1),
                    pelvis_rotation_deg=_r(pelvis[0], 1),
                    pelvis_obliquity_deg=_r(pelvis[1], 1),
                    pelvis_tilt_deg=_r(pelvis[2], 1),
                    pelvis_strides=int(np.isfinite(strides[:, 0]).sum()) if info.has_gyroscope else None,
                )
            )
            times = listed_s[wa : wb + 1].tolist()
            contacts.extend(
                InitialContact(time_s=ts, foot=feet[j], step_length_m=per_step[j], in_bout=a <= wa + j <= b)
                for j, ts in enumerate(times)
            )
            if close >= 0:
                contacts.append(
                    InitialContact(
                        time_s=round(float(t[close]), 3), foot=feet[-1], closing_step=True, in_bout=False
                    )
                )
        if bouts_idx.shape[0]:
            in_bouts = np.concatenate([np.arange(a, b + 1) for a, b in bouts_idx])
            tilt = median(local.tilt_deg[in_bouts])
            if tilt > TILT_WARNING_DEG:
                warnings.append(
                    f"the sensor seems tilted by about {tilt:.0f}° from upright; trunk lean is measured "
                    "against the sensor axis nearest to vertical and includes that tilt"
                )
        if drawn_strides:
            warnings.append(
                f"the angular rate was not measured in {plural(drawn_strides, 'stride')} of the bouts: it lies "
                f"on a straight line (or stays constant) for {DRAWN_MIN_S:g} s or more there, as no gyroscope "
                "reads it in walking (a pause of the gyroscope bridged, a reading held where it did not record, "
                "zeros written for it); their pelvis ranges are left out"
            )
        if lh is None:
            warnings.append(HEIGHT_NEEDED)
        return GaitResult(
            backstride_version=_version(),
            recording=info,
            subject=subject,
            summary=_summary(bouts, duration),
            walking_bouts=bouts,
            initial_contacts=contacts,
            warnings=warnings,
        )


def _at_most(notes: list[str], most: int) -> list[str]:
    """The first ``most - 1`` notes and how many more there were, when there are more than ``most``."""
    if len(notes) <= most:
        return notes
    return [*notes[: most - 1], f"… and {len(notes) - most + 1} more notes of the reader like these"]


def _chain(first: Recording, rest: Iterator[Recording]) -> Iterator[Recording]:
    yield first
    yield from rest


def _column_medians(x: FloatArray) -> list[float | None]:
    """Median of each column's finite values (None for a column with none), as :func:`median` gives it:
    the columns are sorted at once, with their non-finite values put last (one sort instead of a
    selection per column: this runs for every bout)."""
    finite = np.isfinite(x)
    ordered = np.sort(np.where(finite, x, np.inf), axis=0)
    out: list[float | None] = []
    for column, n in zip(ordered.T, finite.sum(axis=0).tolist(), strict=True):
        half = n // 2
        if not n:
            out.append(None)
        elif n % 2:
            out.append(float(column[half]))
        else:
            out.append(0.5 * (float(column[half - 1]) + float(column[half])))
    return out


def _foot_means(steps: Sequence[float | None], feet: Sequence[Foot | None]) -> dict[Foot, float | None]:
    """The mean length of a bout's steps onto each foot: the steps as its contacts list them (``steps[j]``
    ends at the contact of ``feet[j]``), so a bout's left mean is its left contacts' mean."""
    out: dict[Foot, float | None] = {}
    for foot in ("left", "right"):
        mine = [v for v, f in zip(steps, feet, strict=False) if f == foot and v is not None]
        out[foot] = round(sum(mine) / len(mine), 3) if mine else None
    return out


def _r(x: float | None, nd: int) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


def _version() -> str:
    from backstride import __version__

    return __version__


def _text(value: object) -> str | None:
    """A metadata value as text, or ``None`` when the reader did not give it."""
    return str(value) if value not in (None, "") else None


def _check_rate(fs: float) -> None:
    if fs < MIN_SAMPLING_RATE_HZ:
        raise InputError(
            f"the recording is sampled at {fs:g} Hz; at least {MIN_SAMPLING_RATE_HZ:g} Hz are needed to find steps"
        )


def _spread(values: FloatArray) -> FloatArray:
    """At most about :data:`JUDGED_SAMPLES` rows of ``values``, evenly spread (a view, no copy)."""
    return values[:: max(values.shape[0] // JUDGED_SAMPLES, 1)]


def _norm(values: FloatArray) -> FloatArray:
    """Each row's Euclidean length."""
    return np.asarray(np.sqrt(np.einsum("ij,ij->i", values, values)))


def _check_gravity(chunk: Recording) -> None:
    """Refuse acceleration that is not in m/s² with gravity: a worn sensor always feels gravity, so the
    magnitude's median sits near 9.81 m/s² whatever the wearer does; near 1 it is in g, near 0 gravity was
    taken off. Either would be analysed without a word into a handful of steps (the bundled sample in g: 22
    steps instead of 83). Readers convert units themselves; this guards arrays handed over directly."""
    acc = _spread(chunk.acc_mps2)
    if acc.shape[0] < 2:
        return
    magnitude = median(_norm(acc))
    if magnitude < MIN_GRAVITY_MPS2:
        hint = (
            "it looks like g: multiply by 9.80665"
            if 0.8 < magnitude < 1.25
            else "is gravity taken off? give the acceleration with gravity"
        )
        raise InputError(
            f"the acceleration's typical magnitude is {magnitude:.3g}, where a worn sensor feels gravity's "
            f"9.81 m/s²; acceleration must be in m/s² with gravity included ({hint})"
        )


def _check_angular_rate(chunk: Recording) -> None:
    """Refuse angular rate in rad/s given as ``gyr_dps``: it was analysed as deg/s without a word (pelvis
    ranges 57 times too small, the walking frame's turns missed). The evidence is io's readers' (a 99th
    percentile of |ω| of at most 10, see :mod:`backstride.io._units`), which they act on by converting a
    column whose unit is not said; arrays say theirs by the field's name, so, as acceleration in g is
    (:func:`_check_gravity`), this is refused with what to do. Only while the acceleration shows the wearer
    moving: a sensor lying still reads about 0 in either unit.

    Not for a reader's recording (its metadata names its ``format``): the reader knew the unit (a logger's
    file, an app's export, a CSV's declared unit) or judged it by this same evidence and said so, and a
    person whose trunk really turned slowly (a bus ride's vibration, say) can tell a CSV's reader the unit;
    a refusal here would have no way round."""
    gyr = chunk.gyr_dps
    if gyr is None or "format" in chunk.metadata:
        return
    acc, gyr = _spread(chunk.acc_mps2), _spread(gyr)
    if acc.shape[0] < 2:
        return
    magnitude = _norm(acc)
    moving = percentile(np.abs(magnitude - median(magnitude)), 99.0)
    turning = percentile(_norm(gyr), 99.0)
    if moving > MOVING_MPS2 and turning <= GYR_RAD_MAX_P99:
        raise InputError(
            f"the angular rate's 99th percentile of |ω| is {turning:.3g} while the acceleration shows the "
            "wearer moving, who turns at tens of degrees per second; angular rate must be in deg/s "
            f"(it looks like rad/s: multiply by {180.0 / np.pi:.6g})"
        )


def _summary(bouts: list[WalkingBout], duration: float) -> GaitSummary:
    long = [b for b in bouts if b.duration_s >= LONG_BOUT_S]

    def med(values: list[float | None], nd: int) -> float | None:
        vals = [v for v in values if v is not None]
        return round(median(vals), nd) if vals else None

    return GaitSummary(
        recording_duration_s=round(duration, 3),
        total_walking_s=round(sum(b.duration_s for b in bouts), 3),
        n_steps=sum(b.n_steps for b in bouts),
        n_bouts=len(bouts),
        longest_bout_s=max((b.duration_s for b in bouts), default=None),
        n_bouts_10s=len(long),
        median_cadence_spm=med([b.cadence_spm for b in long], 2),
        median_walking_speed_mps=med([b.walking_speed_mps for b in long], 3),
        median_stride_length_m=med([b.stride_length_m for b in long], 3),
        median_step_length_left_m=med([b.step_length_left_m for b in long], 3),
        median_step_length_right_m=med([b.step_length_right_m for b in long], 3),
        median_trunk_lean_deg=med([b.trunk_lean_deg for b in long], 1),
        median_pelvis_rotation_deg=med([b.pelvis_rotation_deg for b in long], 1),
        median_pelvis_obliquity_deg=med([b.pelvis_obliquity_deg for b in long], 1),
        median_pelvis_tilt_deg=med([b.pelvis_tilt_deg for b in long], 1),
        n_pelvis_strides=_total([b.pelvis_strides for b in long]),
    )


def _total(counts: list[int | None]) -> int | None:
    """The sum of the counts, None when every one is None (no gyroscope) or there are none."""
    known = [c for c in counts if c is not None]
    return sum(known) if known else None


def analyze(
    recording: Recording,
    *,
    height_m: float | None = None,
    sensor_height_m: float | None = None,
    age: float | None = None,
    sex: str | None = None,
    progress: Progress | None = None,
    threads: int = 2,
) -> GaitResult:
    """Measure walking in a recording: bouts, initial contacts, cadence, step and stride length, speed,
    trunk lean, regularity and symmetry.

    ``height_m`` (or the measured ``sensor_height_m``) is needed for step length and speed.
    ``progress`` is called with the seconds of recording in each chunk as it is taken in; ``threads``
    is :class:`GaitPipeline`'s.
    """
    pipe = GaitPipeline(threads=threads).run(
        recording, height_m=height_m, sensor_height_m=sensor_height_m, age=age, sex=sex, progress=progress
    )
    return pipe.result_


def analyze_stream(
    chunks: Iterable[Recording],
    *,
    height_m: float | None = None,
    sensor_height_m: float | None = None,
    age: float | None = None,
    sex: str | None = None,
    progress: Progress | None = None,
    threads: int = 2,
) -> GaitResult:
    """Like :func:`analyze`, for a recording read chunk by chunk; gives the same result."""
    pipe = GaitPipeline(threads=threads).run_stream(
        chunks, height_m=height_m, sensor_height_m=sensor_height_m, age=age, sex=sex, progress=progress
    )
    return pipe.result_
