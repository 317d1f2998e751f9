"""Who looks after a patient, changed from the web app: the Care team section of the clinician's page of a
patient (adding an open clinician or administrator, removing one; a clinician leaves a patient only to another
with an open account) and the Staff page's hand-on of the patients a closed clinician leaves with nobody. Read
back from the database: a refused form writes nothing."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import PASSWORD, Clinic, post, sign_in

from backstride import store

ADMIN = "ada@clinic.test"


def _add_staff(clinic: Clinic, email: str, name: str, role: str = "clinician") -> int:
    from backstride._accounts import hash_password

    with clinic_db(clinic) as s:
        return int(store.create_user(s, email, name, role, password_hash=hash_password(PASSWORD)).id)


def _close(clinic: Clinic, user_id: int) -> None:
    with clinic_db(clinic) as s:
        store.close_account(s, user_id, "left the clinic", by_id=None, session_max_age_s=60)


def _link(clinic: Clinic, clinician_id: int, patient_id: int) -> None:
    with clinic_db(clinic) as s:
        store.link_patient(s, clinician_id, patient_id)


def _team(clinic: Clinic, patient_id: int) -> list[int]:
    """The ids linked to the patient, as stored."""
    with clinic_db(clinic, readonly=True) as s:
        return store.clinicians_of(s, patient_id)


def _id_of(clinic: Clinic, email: str) -> int:
    with clinic_db(clinic, readonly=True) as s:
        user = store.get_user_by_email(s, email)
        assert user is not None
        return int(user.id)


def _words(text: str) -> str:
    """The text as read, tags gone (a word's comma kept beside it)."""
    return re.sub(r" ([,.:])", r"\1", " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()))


def _section(page: str) -> str:
    """The words of the page's Care team section."""
    found = re.search(r'<section class="card" id="care-team".*?</section>', page, re.S)
    assert found, page
    return _words(found.group(0))


def _options(page: str, select_id: str) -> list[str]:
    found = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    assert found, page
    return [_words(o) for o in re.findall(r"<option value=\"\d+\"[^>]*>(.*?)</option>", found.group(0))]


def _confirm_step(page: str) -> str:
    """The words of the confirmation step a first Remove shows."""
    found = re.search(r'<section class="card" id="remove-confirm".*?</section>', page, re.S)
    assert found, page
    return _words(found.group(0))


CONFIRM = {"confirm": "yes"}


@pytest.fixture
def anna(app_factory: Any) -> Any:
    client = app_factory()
    sign_in(client, "anna@clinic.test")
    return client


@pytest.fixture
def admin(app_factory: Any, clinic: Clinic) -> Any:
    _add_staff(clinic, ADMIN, "Ada Admin", "admin")
    client = app_factory()
    sign_in(client, ADMIN)
    return client


# ------------------------------------------------------------------------------------------ the section
def test_the_section_names_the_team_and_offers_only_open_accounts_not_yet_in_it(
    anna: Any, clinic: Clinic
) -> None:
    cleo = _add_staff(clinic, "cleo@clinic.test", "Cleo Cover")
    _add_staff(clinic, "ada@clinic.test", "Ada Admin", "admin")
    gone = _add_staff(clinic, "gus@clinic.test", "Gus Gone")
    _link(clinic, gone, clinic.patient_a)
    _close(clinic, gone)
    _close(clinic, _add_staff(clinic, "olga@clinic.test", "Olga Old"))  # closed: not offered
    page = anna.get(f"/patients/{clinic.patient_a}").text
    assert '<a href="#care-team">Care team</a>' in page
    said = _section(page)
    assert "Anna Therapist (you), clinician" in said
    assert "Gus Gone, clinician account closed" in said
    assert "Nobody with an open account" not in said
    assert "You can remove yourself only while another clinician with an open account looks after" in said
    assert _options(page, "care-add") == ["Ada Admin (administrator)", "Ben Therapist", "Cleo Cover"]
    assert cleo not in _team(clinic, clinic.patient_a)


# ------------------------------------------------------------------------------------------ adding one
def test_adding_a_clinician_puts_the_patient_in_their_caseload(
    anna: Any, app_factory: Any, clinic: Clinic
) -> None:
    answer = post(anna, f"/patients/{clinic.patient_a}/care-team", {"clinician": str(clinic.clinician_b)})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/patients/{clinic.patient_a}#care-team"
    assert _team(clinic, clinic.patient_a) == sorted([clinic.clinician_a, clinic.clinician_b])
    assert "Ben Therapist, clinician" in _section(anna.get(f"/patients/{clinic.patient_a}").text)
    ben = app_factory()
    sign_in(ben, "ben@clinic.test")
    assert "Paula Patient" in ben.get("/caseload").text
    assert ben.get(f"/patients/{clinic.patient_a}").status_code == 200


@pytest.mark.parametrize(
    ("chosen", "status", "said"),
    [
        ("", 422, "Clinician: choose one from the list."),
        ("gone", 409, "Gus Gone's account was closed on"),
        ("anna", 409, "Anna Therapist already looks after Paula Patient: nothing was changed."),
        ("paula", 409, "The clinician chosen is not one of the clinic's clinicians or administrators"),
        ("99999", 409, "The clinician chosen is not one of the clinic's clinicians or administrators"),
        ("x", 409, "The clinician chosen is not one of the clinic's clinicians or administrators"),
    ],
)
def test_a_stale_or_forged_choice_is_refused_in_the_section_and_writes_nothing(
    anna: Any, clinic: Clinic, chosen: str, status: int, said: str
) -> None:
    gone = _add_staff(clinic, "gus@clinic.test", "Gus Gone")
    _close(clinic, gone)  # closed after the page was shown
    value = {"gone": str(gone), "anna": str(clinic.clinician_a), "paula": str(clinic.patient_b)}.get(
        chosen, chosen
    )
    answer = post(anna, f"/patients/{clinic.patient_a}/care-team", {"clinician": value})
    assert answer.status_code == status
    section = _section(answer.text)
    assert "The care team was not changed:" in section and said in section
    assert '<a href="#care-team-problems">The care team was not changed: see why below.</a>' in answer.text
    if chosen == "":
        assert re.search(r'<select id="care-add"[^>]*aria-invalid="true"', answer.text)
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a]


# ---------------------------------------------------------------------------------------- removing one
def test_a_clinician_leaves_only_when_another_open_clinician_looks_after_the_patient(
    anna: Any, clinic: Clinic
) -> None:
    remove = f"/patients/{clinic.patient_a}/care-team/{clinic.clinician_a}/remove"
    alone = post(anna, remove)
    assert alone.status_code == 409
    assert (
        "You are the only clinician with an open account who looks after Paula Patient: add another clinician "
        "before you leave their care (or ask an administrator)." in _section(alone.text)
    )
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a]
    _link(clinic, clinic.clinician_b, clinic.patient_a)
    _close(clinic, clinic.clinician_b)  # a closed colleague does not count
    assert post(anna, remove).status_code == 409
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a, clinic.clinician_b]
    cleo = _add_staff(clinic, "cleo@clinic.test", "Cleo Cover")
    assert post(anna, f"/patients/{clinic.patient_a}/care-team", {"clinician": str(cleo)}).status_code == 303
    asked = post(anna, remove)
    assert asked.status_code == 200 and _team(clinic, clinic.patient_a) == [
        clinic.clinician_a,
        clinic.clinician_b,
        cleo,
    ]
    said = _confirm_step(asked.text)
    assert "You will no longer see Paula Patient in your caseload, nor open or add to the record" in said
    assert "Paula Patient keeps their other clinicians: Cleo Cover." in said
    left = post(anna, remove, CONFIRM)
    assert left.status_code == 303 and left.headers["location"] == "/caseload"
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_b, cleo]
    assert "Paula Patient" not in anna.get("/caseload").text
    assert anna.get(f"/patients/{clinic.patient_a}").status_code == 404


def test_removing_asks_first_and_only_the_confirmation_changes_the_team(anna: Any, clinic: Clinic) -> None:
    """One click on Remove would take a clinician off a patient's care: the first POST only says what will
    happen, with Confirm and Cancel, and works without JavaScript (a form and a link)."""
    _link(clinic, clinic.clinician_b, clinic.patient_a)
    remove = f"/patients/{clinic.patient_a}/care-team/{clinic.clinician_b}/remove"
    asked = post(anna, remove)
    assert asked.status_code == 200
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a, clinic.clinician_b]
    said = _confirm_step(asked.text)
    assert said.startswith("Remove Ben Therapist from Paula Patient's care team? Nothing has changed yet.")
    assert (
        "Ben Therapist will no longer see Paula Patient in their caseload, nor open or add to the record; what "
        "they wrote stays in it." in said
    )
    assert "Paula Patient keeps their other clinicians: Anna Therapist (you)." in said
    assert (
        "This can be undone: add Ben Therapist back in the Care team section of Paula Patient's page." in said
    )
    assert (
        "<title>Remove Ben Therapist from Paula Patient&#39;s care team? · backstride</title>" in asked.text
    )
    form = re.search(rf'<form method="post" action="{remove}">.*?</form>', asked.text, re.S)
    assert form
    assert '<input type="hidden" name="confirm" value="yes">' in form.group(0)
    assert 'name="csrf_token"' in form.group(0)
    assert re.search(r"<button type=\"submit\"[^>]*>Confirm: remove Ben Therapist</button>", form.group(0))
    assert (
        f'<a class="button secondary" href="/patients/{clinic.patient_a}#care-team">Cancel</a>' in asked.text
    )
    with_other = post(anna, remove, {"confirm": "maybe"})  # only "yes" confirms
    assert with_other.status_code == 200 and 'id="remove-confirm"' in with_other.text
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a, clinic.clinician_b]
    done = post(anna, remove, CONFIRM)
    assert done.status_code == 303 and done.headers["location"] == f"/patients/{clinic.patient_a}#care-team"
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a]


def test_a_clinician_removes_a_closed_colleague_and_a_stale_removal_is_refused(
    anna: Any, clinic: Clinic
) -> None:
    _link(clinic, clinic.clinician_b, clinic.patient_a)
    _close(clinic, clinic.clinician_b)
    remove = f"/patients/{clinic.patient_a}/care-team/{clinic.clinician_b}/remove"
    said = _confirm_step(post(anna, remove).text)
    assert (
        "Ben Therapist's account is closed: an administrator reopens it before anyone adds them back." in said
    )
    done = post(anna, remove, CONFIRM)
    assert done.status_code == 303 and done.headers["location"] == f"/patients/{clinic.patient_a}#care-team"
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a]
    for data in ({}, CONFIRM):  # the same button, or the confirmation, from a page shown before
        again = post(anna, remove, data)
        assert again.status_code == 409
        assert "The clinician chosen no longer looks after Paula Patient" in _section(again.text)
        assert 'id="remove-confirm"' not in again.text
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a]


def test_an_administrator_removes_the_last_clinician_and_the_page_says_nobody_is_left(
    admin: Any, clinic: Clinic
) -> None:
    remove = f"/patients/{clinic.patient_a}/care-team/{clinic.clinician_a}/remove"
    said = _confirm_step(post(admin, remove).text)
    assert (
        "Nobody with an open account will look after Paula Patient then: please add another clinician "
        "afterwards." in said
    )
    answer = post(admin, remove, CONFIRM)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/patients/{clinic.patient_a}#care-team"
    assert _team(clinic, clinic.patient_a) == []
    said = _section(admin.get(f"/patients/{clinic.patient_a}").text)
    assert "Nobody with an open account looks after Paula Patient now. Please add a clinician below." in said
    assert "You can remove yourself only" not in said  # an administrator may


def test_the_section_says_nobody_is_left_when_every_linked_account_is_closed(
    admin: Any, clinic: Clinic
) -> None:
    _close(clinic, clinic.clinician_a)
    said = _section(admin.get(f"/patients/{clinic.patient_a}").text)
    assert "Anna Therapist, clinician account closed" in said
    assert "Nobody with an open account looks after Paula Patient now." in said


# ------------------------------------------------------------------------------------------ who may
def test_a_patient_and_an_unlinked_clinician_are_refused_and_nothing_changes(
    app_factory: Any, clinic: Clinic
) -> None:
    add = f"/patients/{clinic.patient_a}/care-team"
    remove = f"/patients/{clinic.patient_a}/care-team/{clinic.clinician_a}/remove"
    paula = app_factory()
    sign_in(paula, "paula@home.test")
    assert post(paula, add, {"clinician": str(clinic.clinician_b)}).status_code == 403  # not for her role
    assert post(paula, remove).status_code == 403
    assert post(paula, remove, CONFIRM).status_code == 403
    ben = app_factory()
    sign_in(ben, "ben@clinic.test")
    # a clinician who does not look after Paula is told no more than that there is no such page
    assert post(ben, add, {"clinician": str(clinic.clinician_b)}).status_code == 404
    assert post(ben, remove).status_code == 404
    assert post(ben, remove, CONFIRM).status_code == 404
    anna = app_factory()
    sign_in(anna, "anna@clinic.test")
    assert anna.post(add, data={"clinician": str(clinic.clinician_b)}).status_code == 403  # no CSRF token
    assert anna.post(remove).status_code == 403
    assert anna.post(remove, data=CONFIRM).status_code == 403
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a]


# ------------------------------------------------------------------------------------ the Staff page
def test_the_staff_page_hands_a_closed_clinicians_patient_on_and_says_so(admin: Any, clinic: Clinic) -> None:
    cleo = _add_staff(clinic, "cleo@clinic.test", "Cleo Cover")
    closed = post(admin, f"/admin/staff/{clinic.clinician_a}/close", {"reason": "left the clinic"})
    page = admin.get(closed.headers["location"]).text
    notice = re.search(r'<section class="card" id="closed-account".*?</section>', page, re.S)
    assert notice
    assert "Hand on Paula Patient to" in _words(notice.group(0))
    assert _options(notice.group(0), f"hand-notice-{clinic.clinician_a}-{clinic.patient_a}") == [
        "Ada Admin (administrator)",
        "Ben Therapist",
        "Cleo Cover",
    ]
    handed = post(
        admin,
        f"/admin/staff/{clinic.clinician_a}/hand-on",
        {"patient": str(clinic.patient_a), "clinician": str(cleo), "notice": "1"},
    )
    assert handed.status_code == 303
    assert handed.headers["location"] == (
        f"/admin/staff?handed={clinic.patient_a}&to={cleo}&closed={clinic.clinician_a}#handed-on"
    )
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a, cleo]  # Anna's link stays
    back = admin.get(handed.headers["location"]).text
    status = re.search(r'<p class="note" id="handed-on" role="status".*?</p>', back, re.S)
    assert status and _words(status.group(0)).startswith("Cleo Cover now looks after Paula Patient")
    notice = re.search(r'<section class="card" id="closed-account".*?</section>', back, re.S)
    assert notice and "Each of Anna Therapist's patients in care still has a clinician" in _words(
        notice.group(0)
    )
    assert 'action="/admin/staff/' not in notice.group(0)


def test_the_staff_page_says_nothing_of_a_hand_on_that_did_not_happen(admin: Any, clinic: Clinic) -> None:
    page = admin.get(f"/admin/staff?handed={clinic.patient_a}&to={clinic.clinician_b}").text
    assert 'id="handed-on"' not in page


def test_a_closed_clinicians_card_hands_on_and_refusals_write_nothing(admin: Any, clinic: Clinic) -> None:
    _close(clinic, clinic.clinician_a)
    url = f"/admin/staff/{clinic.clinician_a}/hand-on"
    card_form = f'id="hand-{clinic.clinician_a}-{clinic.patient_a}"'
    assert card_form in admin.get("/admin/staff").text
    empty = post(admin, url, {"patient": str(clinic.patient_a), "clinician": ""})
    assert empty.status_code == 422
    assert "Paula Patient was not handed on:" in _words(empty.text)
    assert "Hand on to: choose a clinician from the list." in _words(empty.text)
    assert re.search(rf'<select {card_form}[^>]*aria-invalid="true"', empty.text)
    _close(clinic, clinic.clinician_b)  # closed after the page was shown
    stale = post(admin, url, {"patient": str(clinic.patient_a), "clinician": str(clinic.clinician_b)})
    assert stale.status_code == 409 and "Ben Therapist's account was closed on" in _words(stale.text)
    assert _team(clinic, clinic.patient_a) == [clinic.clinician_a]
    # the patient of another clinician, or nobody's: no such patient of this account
    assert post(admin, url, {"patient": str(clinic.patient_b), "clinician": "1"}).status_code == 404
    assert post(admin, url, {"patient": "x", "clinician": "1"}).status_code == 404
    me = _id_of(clinic, ADMIN)
    done = post(admin, url, {"patient": str(clinic.patient_a), "clinician": str(me)})
    assert done.status_code == 303 and "closed=" not in done.headers["location"]
    twice = post(admin, url, {"patient": str(clinic.patient_a), "clinician": str(me)})  # a second tab
    assert twice.status_code == 409
    assert "Ada Admin already looks after Paula Patient: nothing was changed." in _words(twice.text)
    assert _team(clinic, clinic.patient_a) == sorted([clinic.clinician_a, me])


def test_only_an_administrator_hands_on(app_factory: Any, clinic: Clinic) -> None:
    _close(clinic, clinic.clinician_b)
    url = f"/admin/staff/{clinic.clinician_b}/hand-on"
    for email in ("anna@clinic.test", "peter@home.test"):
        client = app_factory()
        sign_in(client, email)
        data = {"patient": str(clinic.patient_b), "clinician": str(clinic.clinician_a)}
        assert post(client, url, data).status_code == 403
    assert _team(clinic, clinic.patient_b) == [clinic.clinician_b]


def _removes_offered(page: str) -> list[str]:
    """Whom the Care team section offers to remove, by the button's words."""
    found = re.search(r'<section class="card" id="care-team".*?</section>', page, re.S)
    assert found, page
    return [_words(b) for b in re.findall(r"<button[^>]*>(Remove.*?)</button>", found.group(0), re.S)]


def test_remove_is_offered_only_where_it_would_be_done(anna: Any, admin: Any, clinic: Clinic) -> None:
    """The section offered "Remove" beside a patient's only clinician (themselves), then refused it: it is
    not offered where it would be refused; the server's refusal stays."""
    remove_anna = "Remove Anna Therapist from the care team"
    page = anna.get(f"/patients/{clinic.patient_a}").text
    assert _removes_offered(page) == []
    assert "You can remove yourself only while another clinician with an open account looks after" in (
        _section(page)
    )
    assert (
        post(anna, f"/patients/{clinic.patient_a}/care-team/{clinic.clinician_a}/remove").status_code == 409
    )
    assert _removes_offered(admin.get(f"/patients/{clinic.patient_a}").text) == [remove_anna]  # allowed
    _link(clinic, clinic.clinician_b, clinic.patient_a)
    _close(clinic, clinic.clinician_b)  # a closed colleague does not count: Anna still may not leave
    assert _removes_offered(anna.get(f"/patients/{clinic.patient_a}").text) == [
        "Remove Ben Therapist from the care team"
    ]
    cleo = _add_staff(clinic, "cleo@clinic.test", "Cleo Cover")
    _link(clinic, cleo, clinic.patient_a)
    assert sorted(_removes_offered(anna.get(f"/patients/{clinic.patient_a}").text)) == sorted(
        [remove_anna, "Remove Ben Therapist from the care team", "Remove Cleo Cover from the care team"]
    )
