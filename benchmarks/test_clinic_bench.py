"""The caseload benchmark measures a real caseload: every patient listed, and the statements counted."""

from __future__ import annotations

from benchmarks import clinic_bench, run


def test_the_caseload_benchmark_lists_every_patient_and_counts_statements() -> None:
    figures = clinic_bench.main(["--patients", "3", "--weeks", "1,3"])
    one, three = figures["3 patients, plans unopened 1 wk"], figures["3 patients, plans unopened 3 wk"]
    assert one["rows"] == three["rows"] == 3
    assert one["wall_s"] > 0 and three["wall_s"] > 0
    # the logs of unopened weeks are read in one query a patient, however many weeks there are
    assert one["statements"] == three["statements"] > 3
    assert "clinic" in run.SECTIONS and run.parse_args(["--clinic-patients", "5"]).clinic_patients == 5
