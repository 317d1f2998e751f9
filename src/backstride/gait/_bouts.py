"""Walking bouts assembled from initial contacts, after the Mobilise-D walking-bout definition.

Kluge et al. 2021, "Consensus based framework for digital mobility monitoring", PLoS ONE 16:e0256541, and
Micó-Amigo et al. 2023 (J NeuroEng Rehabil 20:78): a walking bout is a sequence of at least 4 consecutive
strides (of either foot) whose stride durations are physiologically plausible; bouts separated by a break
of at most 3 s are merged into one. The bout runs from its first to its last initial contact.

Gait initiation and termination: the first step out of standing and the closing step that brings the feet
together carry little of the body's weight transfer and are not counted by the Mobilise-D reference
(its stride-length rule drops them). We drop a run's first or last contacts while their impact is below
``end_trim_ratio`` × the run's median impact, or while their step lasts more than ``end_step_ratio`` ×
the run's median step. This happens before runs are merged, so the 3-second break is measured between
real steps: shuffling or turning on the spot between two walks does not bridge them. The closing step is
still a foot contact (foot-sensor references such as the IPOL 10 m walks count it), so it is reported
(``closing_``) next to its bout, outside the bout's interval.

A walk out of standing begins with an anticipatory postural phase: the body's weight is shifted onto the
stance leg and the swing foot pushes off before it first strikes the ground (Jian et al. 1993, "Trajectory
of the body COG and COP during initiation and termination of gait", Gait Posture 1:9–22). The push-off
lifts the trunk like an impact, so a bout can begin with a "contact" that is no heel strike; the step from
it to the first real contact is markedly quicker than the walk's steps, whereas a real first step out of
standing is not (the walker is still speeding up). A bout's first contact is therefore dropped when its
step lasts less than ``start_step_ratio`` × the median of the next steps of the same foot (the same foot, so
that the short step of a limp is compared with short steps). In the IPOL 10 m walks, 12 bouts began with a
contact the foot sensors do not confirm whose step took 0.67–0.81 of that median; every confirmed first
contact's step took 1.01 or more. The rule applies to merged bouts, not to runs, so a walk whose rhythm is
lost for a moment is not cut where it resumes. Its price is in irregular gait, where a real first step can be
that quick by chance and is then dropped (the bout starts one step later): with independent, normally
distributed step times, in 0.4 % of bouts at a 5 % coefficient of variation, 5 % at 8 %, 9 % at 10 %.

Starting and stopping steps: a walk speeds up over its first steps and slows down over its last ones
(gait initiation reaches its steady speed within the first step or two, Brenière & Do 1986, "When and how does
steady state gait movement induced from upright posture begin?", J Biomech 19:1035–1040; termination takes
the last one or two, Jaeger & Vanitchatchavan 1992, "Ground reaction forces during termination of human
gait", J Biomech 25:1233–1236), and those steps are shorter. The lab reference's bouts (INDIP, Mobilise-D)
leave them out: in its straight walks the trunk keeps its rhythm for one to three steps after the
reference's last contact, and those steps are shorter. So, given each step's vertical excursion ``h`` from
the inverted pendulum (:mod:`._spatial`; a step's length grows as ``√h``, whatever the sensor's height), a
bout's first and last steps shorter than ``steady_length_ratio`` × the bout's median step, at most
``max_unsteady_steps`` at each end, are left out of the bout (``bouts_``) but stay in its walk
(``walks_``): they are foot contacts, reported next to the bout as the closing step is. The bout keeps at
least ``min_strides`` strides.

Here a step is the interval between two consecutive initial contacts and is plausible when it lasts
``min_step_s``–``max_step_s``; a stride is two consecutive plausible steps, so ``n`` consecutive contacts
give ``n - 2`` strides (counting both feet, as Mobilise-D does).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from backstride._stats import median
from backstride.gait._base import Stage
from backstride.gait._filters import FloatArray

IntArray = npt.NDArray[np.int64]


class BoutAssembler(Stage):
    """Group initial contacts into walking bouts.

    Parameters
    ----------
    min_strides:
        Fewest strides in a bout (Mobilise-D: 4).
    max_break_s:
        Bouts separated by at most this pause are merged (Mobilise-D: 3 s).
    min_step_s, max_step_s:
        Plausible duration of one step (half of Mobilise-D's stride limits).
    end_trim_ratio:
        Initiation and termination contacts weaker than this fraction of their run's median impact are
        dropped (before runs are merged into bouts).
    end_step_ratio:
        So are first and last steps lasting more than this multiple of the run's median step (a hesitant
        start or a closing step after a pause).
    start_step_ratio:
        A bout's first contact is dropped when its step is shorter than this fraction of the median of the
        next (up to three) steps of the same foot: the push-off that starts a walk from standing, not a heel
        strike.
    steady_length_ratio:
        A bout's first and last steps shorter than this fraction of its median step (from the steps'
        excursions, when given) are starting and stopping steps, outside the bout; 0 keeps them in.
    max_unsteady_steps:
        At most this many starting steps, and as many stopping steps, per bout.

    Results
    -------
    bouts_:
        ``(k, 2)`` array of indices into the contact times: first and last contact of each bout.
    walks_:
        ``(k, 2)``: first and last contact of each bout's walk, its starting and stopping steps included
        (equal to ``bouts_`` without excursions).
    closing_:
        ``(k,)`` index of each bout's closing step (the weak contact one plausible step after its walk's
        last step, bringing the feet together), or -1.
    """

    def __init__(
        self,
        *,
        min_strides: int = 4,
        max_break_s: float = 3.0,
        min_step_s: float = 0.25,
        max_step_s: float = 1.5,
        end_trim_ratio: float = 0.3,
        end_step_ratio: float = 1.5,
        start_step_ratio: float = 0.85,
        steady_length_ratio: float = 0.8,
        max_unsteady_steps: int = 2,
    ) -> None:
        self.min_strides = min_strides
        self.max_break_s = max_break_s
        self.min_step_s = min_step_s
        self.max_step_s = max_step_s
        self.end_trim_ratio = end_trim_ratio
        self.end_step_ratio = end_step_ratio
        self.start_step_ratio = start_step_ratio
        self.steady_length_ratio = steady_length_ratio
        self.max_unsteady_steps = max_unsteady_steps

    def assemble(
        self,
        ic_times_s: FloatArray,
        ic_strength: FloatArray | None = None,
        step_excursion_m: FloatArray | None = None,
    ) -> BoutAssembler:
        """Bouts of the contacts at ``ic_times_s``; ``ic_strength`` is each contact's impact and
        ``step_excursion_m`` the vertical excursion of the step from each contact to the next (``nan`` where
        unknown); without them, no contact is trimmed for its impact and no step for its length."""
        t = np.asarray(ic_times_s, dtype=float)
        runs: list[tuple[int, int]] = []
        if t.size >= 2:
            dt = np.diff(t)
            ok = (dt >= self.min_step_s) & (dt <= self.max_step_s)
            # maximal runs of plausible steps: contacts i..j with steps i..j-1 all plausible
            edges = np.diff(np.concatenate([[0], ok.astype(np.int8), [0]]))
            starts = np.flatnonzero(edges == 1)
            stops = np.flatnonzero(edges == -1)  # step index one past the run
            runs = [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]
        if ic_strength is not None:
            runs = [self._trimmed(t, ic_strength, a, b) for a, b in runs]
        # merge runs separated by short breaks (measured between the runs' trimmed ends)
        merged: list[list[int]] = []
        for a, b in runs:
            if merged and t[a] - t[merged[-1][1]] <= self.max_break_s:
                merged[-1][1] = b
            else:
                merged.append([a, b])
        merged = [[a + 1 if self._hasty_start(t, a, b) else a, b] for a, b in merged]
        bouts = [(a, b) for a, b in merged if (b - a + 1) - 2 >= self.min_strides]
        self.bouts_ = np.array(bouts, dtype=np.int64).reshape(-1, 2)
        # the closing step: the weak contact that brings the feet together, one plausible step after the
        # bout's last stride; a foot contact, though not part of a stride
        closing = np.full(len(bouts), -1, dtype=np.int64)
        for k, (a, b) in enumerate(bouts):
            if b + 1 < t.size and b > a:
                step = median(np.diff(t[a : b + 1]))
                gap = t[b + 1] - t[b]
                if self.min_step_s <= gap <= min(self.max_step_s, self.end_step_ratio * step):
                    closing[k] = b + 1
        self.closing_ = closing
        self.walks_ = self.bouts_.copy()
        if step_excursion_m is not None and self.steady_length_ratio > 0:
            x = np.sqrt(np.clip(np.asarray(step_excursion_m, dtype=float), 0.0, None))
            self.bouts_ = np.array([self._steady(x, a, b) for a, b in bouts], dtype=np.int64).reshape(-1, 2)
        return self

    def _steady(self, length: FloatArray, a: int, b: int) -> tuple[int, int]:
        """The bout ``a``..``b`` without its short starting and stopping steps (``length[i]``, in any unit,
        is the step from contact ``i`` to the next), keeping at least ``min_strides`` strides."""
        steps = length[a:b]
        known = steps[np.isfinite(steps)]
        if not known.size:
            return a, b
        short = self.steady_length_ratio * median(known)
        most = self.max_unsteady_steps
        first, last = a, b
        # a stride fewer is still enough: (last - first + 1) - 2 - 1 >= min_strides
        while first - a < most and last - first - 2 >= self.min_strides and length[first] < short:
            first += 1
        while b - last < most and last - first - 2 >= self.min_strides and length[last - 1] < short:
            last -= 1
        return first, last

    def _trimmed(self, t: FloatArray, strength: FloatArray, a: int, b: int) -> tuple[int, int]:
        """A run of steps without its weak or hesitant first and last contacts."""
        ref = self.end_trim_ratio * median(strength[a : b + 1])
        step = median(np.diff(t[a : b + 1])) if b > a else 0.0
        longest = self.end_step_ratio * step
        while a < b and (strength[a] < ref or t[a + 1] - t[a] > longest):
            a += 1
        while b > a and (strength[b] < ref or t[b] - t[b - 1] > longest):
            b -= 1
        return a, b

    def _hasty_start(self, t: FloatArray, a: int, b: int) -> bool:
        """Whether contact ``a`` is followed by a step much quicker than the bout's next same-foot steps."""
        same_foot = np.diff(t[a : min(b, a + 7) + 1])[2::2]  # the next (up to three) steps of the same foot
        return bool(same_foot.size) and t[a + 1] - t[a] < self.start_step_ratio * median(same_foot)
