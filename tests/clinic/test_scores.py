"""Questionnaire scoring against hand-worked values, MCID verdicts, definitions files and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backstride import InputError
from backstride.clinic import INSTRUMENTS, ScoreResult, compare, first_to_latest, load_definitions, score


def test_instruments_metadata() -> None:
    assert set(INSTRUMENTS) == {"nprs", "odi", "rmdq", "startback", "psfs"}
    assert INSTRUMENTS["odi"].sections[3] == "Walking"
    assert len(INSTRUMENTS["odi"].sections) == 10
    assert len(INSTRUMENTS["rmdq"].sections) == 24
    assert (INSTRUMENTS["odi"].score_min, INSTRUMENTS["odi"].score_max) == (0, 100)
    # Copyrighted wording is never shipped; only pain and PSFS carry full text.
    shipped = {k for k, v in INSTRUMENTS.items() if v.full_text_shipped}
    assert shipped == {"nprs", "psfs"}
    for key, inst in INSTRUMENTS.items():
        assert (inst.items is not None) == (key in shipped)


def test_nprs() -> None:
    assert score("nprs", {"score": 7}).score == 7.0
    assert score("nprs", {"score": 0}).score == 0.0
    with pytest.raises(InputError, match="out of range"):
        score("nprs", {"score": 11})
    with pytest.raises(InputError, match="missing"):
        score("nprs", {})


def test_nprs_is_an_eleven_point_scale_of_whole_numbers() -> None:
    assert score("nprs", {"score": 6.0}).score == 6.0
    with pytest.raises(InputError) as caught:
        score("nprs", {"score": 5.5})
    assert str(caught.value) == "nprs score: expected a whole number from 0 to 10, got 5.5"


@pytest.mark.parametrize(
    ("sections", "expected", "band"),
    [
        ([0] * 10, 0.0, "minimal disability"),
        ([5] * 10, 100.0, "bed-bound"),
        ([2] * 10, 40.0, "moderate disability"),
        ([1, 2, 3, 2, 2, 1, 0, 1, 2, 3], 34.0, "moderate disability"),
        ([1, 2, 1, 2, 1, 2, 0, 1, 0, 0], 20.0, "minimal disability"),
        ([3, 3, 3, 3, 3, 3, 3, 3, 3, 2], 58.0, "severe disability"),
        ([4, 4, 4, 4, 4, 4, 4, 4, 4, 3], 78.0, "crippled"),
        # one section missing (often sex life): the denominator is 5 x 9
        ([1, 2, 3, 2, 2, 1, 0, None, 2, 3], 100 * 16 / 45, "moderate disability"),
        ([5, 5, 5, 5, 5, 5, 5, None, 5, 5], 100.0, "bed-bound"),
    ],
)
def test_odi(sections: list[int | None], expected: float, band: str) -> None:
    result = score("odi", {"sections": sections})
    assert result.score == pytest.approx(expected)
    assert result.band == band
    assert result.answered == sum(v is not None for v in sections)


def test_odi_two_missing_sections_give_no_score_with_reason() -> None:
    result = score("odi", {"sections": [1, None, 3, 2, 2, 1, 0, None, 2, 3]})
    assert result.score is None
    assert result.band is None
    assert result.missing == [2, 8]
    assert "Personal care" in (result.reason or "") and "Sex life" in (result.reason or "")


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ([1] * 9, "10 entries"),
        ([1] * 11, "10 entries"),
        ([1, 2, 6, 0, 0, 0, 0, 0, 0, 0], "section 3 \\(Lifting\\)"),
        ([1, 2, 1.5, 0, 0, 0, 0, 0, 0, 0], "section 3"),
        ([1, 2, "3", 0, 0, 0, 0, 0, 0, 0], "section 3"),
        ([True, 2, 1, 0, 0, 0, 0, 0, 0, 0], "section 1"),
        ("1111111111", "list"),
    ],
)
def test_odi_bad_input(sections: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score("odi", {"sections": sections})


def test_rmdq() -> None:
    items = [True] * 9 + [False] * 15
    assert score("rmdq", {"items": items}).score == 9.0
    assert score("rmdq", {"items": [False] * 24}).score == 0.0
    assert score("rmdq", {"items": [True] * 24}).score == 24.0
    with pytest.raises(InputError, match="item 5"):
        score("rmdq", {"items": [True] * 4 + [1] + [False] * 19})
    with pytest.raises(InputError, match="24 entries"):
        score("rmdq", {"items": [True] * 23})


@pytest.mark.parametrize(
    ("items", "total", "psychosocial", "risk"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, 0, "low"),
        ([1, 1, 1, 0, 0, 0, 0, 0, 4], 4, 1, "medium"),
        ([1, 1, 1, 0, 0, 0, 0, 0, 2], 3, 0, "low"),  # "moderately" does not score
        ([0, 0, 0, 0, 1, 1, 1, 0, 3], 4, 4, "high"),  # "very much" scores
        ([1, 1, 1, 1, 1, 1, 1, 0, 2], 7, 3, "medium"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 4], 9, 5, "high"),
        ([0, 0, 0, 1, 1, 1, 1, 0, 1], 4, 3, "medium"),
        ([0, 0, 1, 0, 1, 1, 1, 0, "extremely"], 5, 4, "high"),
        # whole numbers written with a decimal point, on every item alike (item 9 refused 3.0, took 3)
        ([0.0, 0, 1.0, 0, 1, 1, 1, 0, 3.0], 5, 4, "high"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 2.0], 0, 0, "low"),
    ],
)
def test_startback(items: list[object], total: int, psychosocial: int, risk: str) -> None:
    result = score("startback", {"items": items})
    assert (result.total, result.psychosocial, result.risk) == (total, psychosocial, risk)
    assert result.score == float(total)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([0, 0, 2, 0, 0, 0, 0, 0, 0], "item 3"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 5], "item 9"),
        ([0, 0, 0, 0, 0, 0, 0, 0, "a lot"], "item 9"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 2.5], "item 9"),
        ([0, 0, 0, 0, 0, 0, 0, 0, float("nan")], "item 9"),
        ([0, 0, 0, 0, 0, 0, 0, 0, True], "item 9"),
        ([0] * 8, "9 entries"),
    ],
)
def test_startback_bad_input(items: list[object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        score("startback", {"items": items})


def test_psfs() -> None:
    acts = [
        {"name": "Walking to the shop", "score": 3},
        {"name": "Gardening", "score": 4},
        {"name": "Lift", "score": 8},
    ]
    result = score("psfs", {"activities": acts})
    assert result.score == pytest.approx(5.0)
    assert [a.name for a in result.activities or []] == ["Walking to the shop", "Gardening", "Lift"]
    with pytest.raises(InputError, match="3 to 5"):
        score("psfs", {"activities": acts[:2]})
    with pytest.raises(InputError, match="activity 2"):
        score("psfs", {"activities": [acts[0], {"name": "x", "score": 12}, acts[2]]})
    with pytest.raises(InputError, match="activity 1"):
        score("psfs", {"activities": [{"name": "", "score": 2}, *acts[1:]]})


def test_the_oswestry_sections_are_scored_from_the_instruments_data() -> None:
    """The 0 to 5 of each section comes from instruments.json (6 statements), for the scorer and the form."""
    assert INSTRUMENTS["odi"].options_per_section == 6
    assert INSTRUMENTS["nprs"].options_per_section is None
    with pytest.raises(InputError, match="out of range 0-5"):
        score("odi", {"sections": [6, *[0] * 9]})
    assert score("odi", {"sections": [5] * 10}).score == 100.0


def test_psfs_is_an_eleven_point_scale_of_whole_numbers() -> None:
    """Each activity is rated on the 11 points 0-10, as the clinic app's form asks; 2.5 was scored."""
    acts = [
        {"name": "Walking", "score": 3.0},
        {"name": "Gardening", "score": 4},
        {"name": "Lift", "score": 8},
    ]
    assert score("psfs", {"activities": acts}).score == pytest.approx(5.0)
    with pytest.raises(InputError) as caught:
        score("psfs", {"activities": [*acts[:2], {"name": "Lift", "score": 2.5}]})
    assert str(caught.value) == "psfs activity 3 (Lift): expected a whole number from 0 to 10, got 2.5"


def test_unknown_instrument_and_fields() -> None:
    with pytest.raises(InputError, match="unknown instrument 'ndi'"):
        score("ndi", {})
    with pytest.raises(InputError, match="unknown field"):
        score("nprs", {"score": 3, "extra": 1})
    with pytest.raises(InputError, match="JSON object"):
        score("nprs", [3])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("instrument", "before", "after", "verdict"),
    [
        ("nprs", {"score": 7}, {"score": 5}, "improved"),  # 2 points
        ("nprs", {"score": 7}, {"score": 6}, "no meaningful change"),  # 1 point, 14 %
        ("nprs", {"score": 3}, {"score": 2}, "improved"),  # 1 point but 33 %
        ("nprs", {"score": 4}, {"score": 6}, "worse"),
        ("nprs", {"score": 0}, {"score": 1}, "no meaningful change"),
        ("nprs", {"score": 0}, {"score": 2}, "worse"),
        ("odi", {"sections": [3] * 10}, {"sections": [2] * 10}, "improved"),  # 60 -> 40
        ("odi", {"sections": [3] * 10}, {"sections": [3] * 8 + [2, 2]}, "no meaningful change"),  # 60 -> 56
        ("odi", {"sections": [1] * 10}, {"sections": [1] * 7 + [0] * 3}, "improved"),  # 20 -> 14, 30 %
        ("odi", {"sections": [2] * 10}, {"sections": [3] * 10}, "worse"),
        ("rmdq", {"items": [True] * 12 + [False] * 12}, {"items": [True] * 7 + [False] * 17}, "improved"),
        (
            "rmdq",
            {"items": [True] * 20 + [False] * 4},
            {"items": [True] * 16 + [False] * 8},
            "no meaningful change",
        ),
        ("rmdq", {"items": [True] * 5 + [False] * 19}, {"items": [True] * 10 + [False] * 14}, "worse"),
    ],
)
def test_compare_mcid(
    instrument: str, before: dict[str, object], after: dict[str, object], verdict: str
) -> None:
    change = compare(instrument, score(instrument, before), score(instrument, after))
    assert change.verdict == verdict
    assert change.delta == pytest.approx((change.after or 0) - (change.before or 0))


def test_compare_psfs_mean_and_single_activity() -> None:
    def psfs(a: float, b: float, c: float) -> dict[str, object]:
        return {
            "activities": [
                {"name": "walk", "score": a},
                {"name": "sit", "score": b},
                {"name": "lift", "score": c},
            ]
        }

    up = compare("psfs", score("psfs", psfs(2, 3, 4)), score("psfs", psfs(4, 5, 6)))
    assert up.verdict == "improved" and up.delta == pytest.approx(2.0)
    small = compare("psfs", score("psfs", psfs(2, 3, 4)), score("psfs", psfs(5, 3, 4)))
    assert small.verdict == "no meaningful change"
    assert "walk improved (+3)" in small.explanation
    down = compare("psfs", score("psfs", psfs(6, 6, 6)), score("psfs", psfs(4, 4, 4)))
    assert down.verdict == "worse"


def test_compare_startback_by_risk_group() -> None:
    high = score("startback", {"items": [1, 1, 1, 1, 1, 1, 1, 1, 4]})
    low = score("startback", {"items": [0] * 9})
    assert compare("startback", high, low).verdict == "improved"
    assert compare("startback", low, high).verdict == "worse"
    assert compare("startback", low, low).verdict == "no meaningful change"


def test_compare_refuses_mismatched_or_missing_scores() -> None:
    pain = score("nprs", {"score": 3})
    with pytest.raises(InputError, match="not odi"):
        compare("odi", pain, pain)
    nothing = score("odi", {"sections": [None, None] + [1] * 8})
    with pytest.raises(InputError, match="could not be computed"):
        compare("odi", nothing, score("odi", {"sections": [1] * 10}))


def test_first_to_latest_over_a_course() -> None:
    unscored = score("odi", {"sections": [None, None] + [1] * 8})
    assert unscored.score is None
    course = [
        unscored,  # passed over: the change runs from the first score there is
        score("nprs", {"score": 7}),
        score("odi", {"sections": [4] * 10}),
        score("nprs", {"score": 5}),
        score(
            "psfs", {"activities": [{"name": n, "score": 3} for n in ("walk", "sit", "lift")]}
        ),  # once only
        ScoreResult(instrument="sf36", score=50.0),  # not an instrument backstride scores
        score("odi", {"sections": [1] * 10}),
        score("nprs", {"score": 2}),
    ]
    changes = first_to_latest(course)
    assert list(changes) == ["nprs", "odi"]  # in the order of INSTRUMENTS
    assert (changes["nprs"].before, changes["nprs"].after, changes["nprs"].verdict) == (7, 2, "improved")
    assert (changes["odi"].before, changes["odi"].after) == (80, 20)  # percent of the 50 points
    assert changes["odi"] == compare("odi", course[2], course[6])
    assert first_to_latest([]) == {}


def test_delta_pct() -> None:
    change = compare("nprs", score("nprs", {"score": 8}), score("nprs", {"score": 4}))
    assert change.delta == -4 and change.delta_pct == pytest.approx(-50.0)
    assert compare("nprs", score("nprs", {"score": 0}), score("nprs", {"score": 0})).delta_pct is None


def _odi_definitions() -> dict[str, object]:
    return {
        "instrument": "odi",
        "version": "2.1a",
        "licence": "Licensed to Example Clinic by the copyright holder (test fixture wording)",
        "items": [
            {"text": f"Section {i} heading", "options": [f"option {n}" for n in range(6)]} for i in range(10)
        ],
    }


def test_load_definitions_json_and_toml(tmp_path: Path) -> None:
    path = tmp_path / "odi.json"
    path.write_text(json.dumps(_odi_definitions()))
    defs = load_definitions(path)
    assert defs.instrument == "odi" and len(defs.items) == 10
    assert defs.items[0].options is not None and defs.items[0].options[5] == "option 5"

    toml = tmp_path / "rmdq.toml"
    lines = ['instrument = "rmdq"', 'licence = "Licensed (test)"']
    lines += [f'[[items]]\ntext = "Statement {i}"' for i in range(24)]
    toml.write_text("\n".join(lines))
    assert len(load_definitions(toml).items) == 24


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(items=d["items"][:9]), "needs 10 items"),
        (lambda d: d["items"][2].update(options=["a", "b"]), "section 3 needs 6 options"),
        (lambda d: d.pop("licence"), "licence"),
        (lambda d: d.update(instrument="xyz"), "unknown instrument"),
    ],
)
def test_load_definitions_errors(tmp_path: Path, mutate: object, message: str) -> None:
    data = _odi_definitions()
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "defs.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=message):
        load_definitions(path)


def test_load_definitions_unreadable(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_definitions(tmp_path / "missing.json")
    bad = tmp_path / "bad.toml"
    bad.write_text("instrument = ")
    with pytest.raises(InputError, match="not valid toml"):
        load_definitions(bad)


def test_a_change_of_risk_group_is_explained_with_an_arrow() -> None:
    high = score("startback", {"items": [1, 1, 1, 1, 1, 1, 1, 1, 4]})
    low = score("startback", {"items": [0] * 9})
    assert compare("startback", high, low).explanation == "risk group high → low"


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (2, 1, "the score fell by 1 point (-50 %)"),
        (1, 2, "the score rose by 1 point (+100 %)"),
        (6, 4, "the score fell by 2 points (-33 %)"),
    ],
)
def test_a_change_of_one_point_is_said_in_the_singular(before: int, after: int, words: str) -> None:
    change = compare("nprs", score("nprs", {"score": before}), score("nprs", {"score": after}))
    assert change.explanation.startswith(words + ";")


def test_psfs_refuses_an_activity_named_twice() -> None:
    """Each PSFS activity is rated once: the same activity twice would count twice in the mean, and the
    activity-by-activity change (matched by name) could follow only one of its ratings."""
    acts = [
        {"name": "Gardening", "score": 2},
        {"name": "Lifting", "score": 5},
        {"name": "gardening ", "score": 9},
    ]
    with pytest.raises(InputError, match=r"psfs activity 3 \(gardening\): 'Gardening' is already activity 1"):
        score("psfs", {"activities": acts})


def test_a_psfs_activity_is_named_in_one_line_of_at_most_200_characters() -> None:
    """A name of 60 000 characters was kept whole (found by fuzzing the web form); one with a line break made a
    message of two lines."""
    others = [{"name": "b", "score": 5}, {"name": "c", "score": 6}]
    for name in ("x" * 201, "walking\nto the shops"):
        with pytest.raises(
            InputError, match=r"psfs activity 1: 'name' must be one line of at most 200 characters"
        ):
            score("psfs", {"activities": [{"name": name, "score": 4}, *others]})
    assert score("psfs", {"activities": [{"name": "x" * 200, "score": 4}, *others]}).score == 5
