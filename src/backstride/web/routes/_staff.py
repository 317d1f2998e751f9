"""The administrator's Staff page: the clinic's clinicians and administrators, and their accounts.

What ``backstride users add/list/access/close/reopen`` does from the shell, for an administrator who is not a
shell user. The rules are the store's and ``_accounts``' (the same as the clinician's "Signing in" section
of a patient's page): a new way in is shown once; a new link leaves the password working until it is used, a
new password ends the old one and every session; closing ends every session and keeps every record; nobody
closes their own account. Patients are not listed here: their clinician looks after their accounts.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from backstride._accounts import token_digest
from backstride._errors import InputError
from backstride._words import plain
from backstride.web._care_team import ROLE_NAMES
from backstride.web._context import RowId, check_csrf, get_state, require_user, transaction
from backstride.web._fields import text_problem
from backstride.web._render import render
from backstride.web._ways_in import ACCESS_KINDS, WayIn, give_way_in
from backstride.web.routes._auth import welcome_link

router = APIRouter(dependencies=[Depends(check_csrf)])

STAFF_ROLES = ("clinician", "admin")
# one's own card offers neither (it says this, linked): a new password given there would end this very session (a
# page that says to hand it on, then the sign-in page), and a link handed to oneself is no use
OWN_WAY_IN = (
    "Change your own password on the Change password page: a new one given here would sign you out on this "
    "computer too"
)


def _staff_rows(db: Session, link_max_age_s: float) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The open staff accounts and the closed ones, each with how they get in, their number of patients and
    (a closed clinician's) the patients in care nobody with an open account looks after now, each with the open
    accounts they can be handed on to."""
    from backstride import store
    from backstride.web._care_team import choosable
    from backstride.web._views import sign_in_ways

    now = store.utcnow()
    open_rows: list[dict[str, Any]] = []
    closed_rows: list[dict[str, Any]] = []
    for account in store.users_list(db, STAFF_ROLES):
        closer = store.get_user(db, account.closed_by_id) if account.closed_by_id is not None else None
        row = {
            "account": account,
            "role": ROLE_NAMES[account.role],
            "ways": sign_in_ways(account, now, link_max_age_s),
            "patients": len(store.patients_of(db, account.id)),
            "closed_by": None if closer is None else closer.name,
            "left_alone": [
                (patient, choosable(db, patient.id))
                for patient in (store.patients_left_alone(db, account.id) if account.is_closed else [])
            ],
        }
        (closed_rows if account.is_closed else open_rows).append(row)
    return open_rows, closed_rows


def _staff_page(
    request: Request,
    section: str | None = None,
    problems: list[str] | None = None,
    values: dict[str, str] | None = None,
    invalid: set[str] | None = None,
    *,
    closed: int | None = None,
    handed: tuple[int | None, int | None] = (None, None),
    status: int | None = None,
) -> Response:
    """The Staff page; with ``section``, that form's ``problems`` beside it, what was typed (``values``) still in
    it and the fields in ``invalid`` marked (422, or ``status``: 409 for a form the account's state refuses).
    ``handed`` (patient, clinician): a patient just handed on, said at the top if that clinician does look after
    them."""
    from backstride import store

    settings = get_state(request).settings
    with transaction(request, readonly=True) as db:
        user = require_user(request, db, "admin")
        open_rows, closed_rows = _staff_rows(db, settings.first_login_max_age_s)
        just_closed = next((row for row in closed_rows if row["account"].id == closed), None)
        patient_id, clinician_id = handed
        handed_on = None
        if patient_id is not None and clinician_id is not None:
            patient, clinician = store.get_user(db, patient_id), store.get_user(db, clinician_id)
            if (
                patient is not None
                and clinician is not None
                and clinician_id in store.clinicians_of(db, patient_id)
            ):
                handed_on = {"patient": patient, "clinician": clinician}
        return render(
            request,
            "staff.html",
            {
                "title": "Staff",
                "user": user,
                "open_rows": open_rows,
                "closed_rows": closed_rows,
                "just_closed": just_closed,
                "handed_on": handed_on,
                "link_days": round(settings.first_login_max_age_s / 86400),
                "max_close_reason": store.MAX_CLOSE_REASON,
                "name_max": store.NAME_MAX,
                "form_problems": {section: problems} if section and problems else {},
                "form_values": {section: values or {}} if section else {},
                "form_invalid": {section: invalid or set()} if section else {},
            },
            status=status or (422 if problems else 200),
        )


def _staff_account(db: Session, account_id: int) -> Any:
    """The staff account ``account_id``; anything else (a patient, nobody) is no page here (404)."""
    from backstride import store

    account = store.get_user(db, account_id)
    if account is None or account.role not in STAFF_ROLES:
        raise HTTPException(404, "There is no such staff account.")
    return account


@router.get("/admin/staff")
def staff_page(request: Request, closed: str = "", handed: str = "", to: str = "") -> Response:
    """Every clinician's and administrator's account, open ones first, closed ones apart below; after a
    clinician is closed (``?closed=ID``), the patients they leave with nobody to look after them; after a
    patient is handed on (``?handed=PATIENT&to=CLINICIAN``), who now looks after whom."""
    from backstride import store

    return _staff_page(request, closed=store.row_id(closed), handed=(store.row_id(handed), store.row_id(to)))


# ------------------------------------------------------------------------------------------ adding one
@router.post("/admin/staff")
def add_staff(
    request: Request, name: str = Form(""), email: str = Form(""), role: str = Form("")
) -> Response:
    """Add a clinician or an administrator with a first-login link, shown once (201) as a new patient's is. A
    form with any problem comes back (422) as typed, every problem named beside its field, nothing kept."""
    from backstride import store

    values = {"name": name, "email": email, "role": role}
    problems: list[str] = []
    invalid: set[str] = set()

    def refuse(field: str, problem: str) -> None:
        problems.append(problem)
        invalid.add(field)

    kept_name = name.strip()
    if not kept_name:
        refuse("name", "Name: please fill it in.")
    elif problem := text_problem(kept_name, "Name", store.NAME_MAX, one_line=True):
        refuse("name", problem)
    address = ""
    if not email.strip():
        refuse("email", "Email: please fill it in; they sign in with it.")
    else:
        try:
            address = store.normalize_email(email)
        except InputError:
            refuse("email", f"Email: “{plain(email.strip(), 80)}” is not an e-mail address.")
    token = secrets.token_urlsafe(24)
    try:
        with transaction(request) as db:
            user = require_user(request, db, "admin")
            if address and store.get_user_by_email(db, address) is not None:
                refuse("email", f"Email: {address} already has an account.")
            if role not in STAFF_ROLES:  # named after the e-mail, in the form's order
                refuse("role", "Role: choose Clinician or Administrator.")
            if not problems:
                account = store.create_user(db, address, kept_name, role, by_id=user.id)
                store.new_first_login(db, account.id, token_digest(token), by_id=user.id)
                lapses = store.first_login_lapses(account, get_state(request).settings.first_login_max_age_s)
                return render(
                    request,
                    "access_given.html",
                    {
                        "title": f"{ROLE_NAMES[role]} added: {account.name}",
                        "user": user,
                        "account": account,
                        "link": welcome_link(request, token),
                        "lapses": lapses,
                        "had_password": False,
                        "back": ("/admin/staff", "Back to the staff page"),
                    },
                    status=201,
                )
    except InputError as exc:  # an address taken just now, say (rolled back: nothing is kept)
        problems.append(str(exc))
    return _staff_page(request, "add", problems, values, invalid, status=422)


# ---------------------------------------------------------------------------------- a new way to sign in
@router.post("/admin/staff/{account_id}/access")
def give_access(request: Request, account_id: RowId, kind: str = Form("")) -> Response:
    """A new first-login link or a new password for a staff account, shown once (201), as for a patient
    (``routes._clinician.give_access``). A closed account is refused (409) beside its reopening buttons."""
    return _give_way_in(request, account_id, kind, reopen=False)


@router.post("/admin/staff/{account_id}/reopen")
def reopen_account(request: Request, account_id: RowId, kind: str = Form("")) -> Response:
    """Reopen a closed staff account with a new first-login link or password in the same transaction, shown
    once; an open one is refused (409) beside its buttons."""
    return _give_way_in(request, account_id, kind, reopen=True)


def _give_way_in(request: Request, account_id: int, kind: str, *, reopen: bool) -> Response:
    section = f"access-{account_id}"
    if kind not in ACCESS_KINDS:
        problem = "Please choose a new first-login link or a new password (one of the two buttons)."
        return _staff_page(request, section, [problem], {"kind": kind})
    settings = get_state(request).settings
    way = WayIn.new(kind)  # argon2 is slow: outside the transaction
    try:
        with transaction(request) as db:
            user = require_user(request, db, "admin")
            account = _staff_account(db, account_id)
            if account.id == user.id and not reopen:  # a stale page or a forged form: the card offers neither
                raise InputError(OWN_WAY_IN + ".")
            given = give_way_in(
                db,
                account,
                way,
                reopen=reopen,
                by_id=user.id,
                settings=settings,
                closed_hint="one of its buttons",
            )
            return render(
                request,
                "access_given.html",
                {
                    "title": f"A new {'password' if way.password else 'first-login link'} for {account.name}",
                    "user": user,
                    "account": account,
                    "password": way.password,
                    "link": welcome_link(request, way.token) if way.token else None,
                    "lapses": given.lapses,
                    "had_password": given.had_password,
                    "reopened": reopen,
                    "back": ("/admin/staff", "Back to the staff page"),
                },
                status=201,
            )
    except InputError as exc:  # closed or reopened meanwhile (another tab, another administrator)
        return _staff_page(request, section, [str(exc)], {"kind": kind}, status=409)


# ---------------------------------------------------------------------------------- closing an account
@router.post("/admin/staff/{account_id}/close")
def close_account(request: Request, account_id: RowId, reason: str = Form("")) -> Response:
    """Close a staff account (a clinician has left the clinic): they no longer sign in and every session of
    theirs ends; every record and care link stays. The page then names the patients in care that nobody with an
    open account looks after, to hand on. The reason is required; the store refuses closing one's own account
    (409, beside the form)."""
    from backstride import store

    section = f"close-{account_id}"
    kept = " ".join(reason.split())  # as the store keeps it: spaces run together
    problem = (
        "Reason: please say why the account is closed (for example: left the clinic)."
        if not kept
        else text_problem(kept, "Reason", store.MAX_CLOSE_REASON)
    )
    if problem:
        return _staff_page(request, section, [problem], {"reason": reason}, {"reason"})
    settings = get_state(request).settings
    own = False
    try:
        with transaction(request) as db:
            user = require_user(request, db, "admin")
            account = _staff_account(db, account_id)
            own = account.id == user.id
            store.close_account(
                db, account.id, kept, by_id=user.id, session_max_age_s=settings.session_max_age_s
            )
    except InputError as exc:  # their own account (the store's rule), or closed already in another tab
        message = (
            "You cannot close your own account (nobody could reopen it for you here): another administrator can."
            if own
            else str(exc)[:1].upper() + str(exc)[1:] + "."
        )
        return _staff_page(request, section, [message], {"reason": reason}, status=409)
    return RedirectResponse(f"/admin/staff?closed={account_id}#closed-account", status_code=303)


# ------------------------------------------------------------------------------------ handing a patient on
@router.post("/admin/staff/{account_id}/hand-on")
def hand_on(
    request: Request,
    account_id: RowId,
    patient: str = Form(""),
    clinician: str = Form(""),
    notice: str = Form(""),
) -> Response:
    """Hand a patient of the closed account ``account_id`` on to an open clinician or administrator
    (``store.link_patient``, as the patient's Care team does); the closed clinician's own link stays with the
    record. Back on the Staff page (303), it says who now looks after whom. No choice is refused (422); a choice
    the page no longer holds (an account closed meanwhile, one already looking after the patient) is refused
    (409) beside the patient; nothing is written then. ``notice``: sent from the box that follows closing the
    account, which the page shows again."""
    from backstride import store
    from backstride.web._care_team import add_to_care

    patient_id = store.row_id(patient)
    section = f"hand-on-{'notice-' if notice else ''}{account_id}-{patient_id}"
    closed = account_id if notice else None
    values = {"clinician": clinician}
    try:
        with transaction(request) as db:
            admin = require_user(request, db, "admin")
            _staff_account(db, account_id)
            person = None if patient_id is None else store.get_user(db, patient_id)
            if (
                person is None
                or person.role != "patient"
                or account_id not in store.clinicians_of(db, person.id)
            ):
                raise HTTPException(404, "There is no such patient of this account.")
            chosen = (
                add_to_care(db, person, store.row_id(clinician), by_id=admin.id)
                if clinician.strip()
                else None
            )
    except InputError as exc:
        return _staff_page(request, section, [str(exc)], values, closed=closed, status=409)
    if chosen is None:
        problem = "Hand on to: choose a clinician from the list."
        return _staff_page(request, section, [problem], values, {"clinician"}, closed=closed)
    back = f"handed={patient_id}&to={chosen.id}" + (f"&closed={account_id}" if notice else "")
    return RedirectResponse(f"/admin/staff?{back}#handed-on", status_code=303)
