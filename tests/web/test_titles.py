"""A page's title says what it is and whose: a clinician's pages of a patient name the patient (tabs of
several patients are told apart), once, and never say "your"; each walk's page has its own title. A screen reader
announces the title first: every page of the app has one, and no two of one person's pages share it."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import PASSWORD, Clinic, analysed_sample, check_in, given_link, post, sign_in


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found
    return html.unescape(found.group(1))


def test_a_clinicians_pages_of_a_patient_name_the_patient_in_the_title(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "4"})
    walk = analysed_sample(client, clinic.patient_a)
    own = {path: _title(client.get(path).text) for path in (f"/patients/{clinic.patient_a}/plan", walk)}
    assert own[f"/patients/{clinic.patient_a}/plan"] == "Your plan · backstride"
    assert own[walk].startswith("Your walk, ")  # with the day it was uploaded: one title per walk
    assert "Paula" not in "".join(own.values())

    client.post("/signout", data={"csrf_token": client.csrf})
    sign_in(client, "anna@clinic.test")
    base = f"/patients/{clinic.patient_a}"
    titles = {
        path: _title(client.get(path).text)
        for path in (
            base,
            f"{base}/plan",
            f"{base}/progress",
            f"{base}/log",
            f"{base}/checkin",
            f"{base}/questionnaires",
            f"{base}/questionnaires/nprs",
            f"{base}/recordings",
            f"{base}/recordings/new",
            walk,
        )
    }
    for path, title in titles.items():
        assert title.count("Paula Patient") == 1, (path, title)
        assert "your" not in title.lower(), (path, title)
    assert titles[f"{base}/plan"] == "Plan of Paula Patient · backstride"
    assert titles[f"{base}/progress"] == "Progress – Paula Patient · backstride"
    assert titles[walk].startswith("Walk of Paula Patient, ")
    assert len(set(titles.values())) == len(titles)


# -- every page of the demo clinic, as each person who signs in to it reaches it

ADMIN_EMAIL = "admin@demo.backstride"
_DOCUMENTS = ("/report.html", "/summary.html", "/sheet.html")
"""Pages that are documents to keep, print or send (also written by the command line), with titles of their own."""


def _get_title(client: Any, url: str) -> str | None:
    """The title of the page at ``url`` (None: not an HTML page, or not one that is shown: a redirection)."""
    answer = client.get(url)
    if answer.is_redirect or "text/html" not in answer.headers.get("content-type", ""):
        return None
    return _title(answer.text)


def _walk(client: Any, start: str = "/", most: int = 150) -> dict[str, str]:
    """Every page a person reaches from ``start`` by following the links of the pages they see (the site's own,
    GET only), URL -> title."""
    seen: dict[str, str] = {}
    looked: set[str] = set()
    waiting = [start]
    while waiting and len(looked) < most:
        url = waiting.pop(0)
        if url in looked:
            continue
        looked.add(url)
        answer = client.get(url)
        if answer.is_redirect:  # "/" sends each person to their first page
            waiting.append(answer.headers["location"])
            continue
        if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        seen[url] = _title(answer.text)
        waiting += [
            html.unescape(link)
            for link in re.findall(r'href="(/[^"#]*)', answer.text)
            if not link.startswith("/static/") and html.unescape(link) not in looked
        ]
    assert len(looked) < most, "the walk did not end: a page links to ever new pages"
    return seen


def _demo_clients(tmp_path: Path) -> tuple[Any, dict[str, int], Any]:
    """The demo clinic (``backstride demo``) with an administrator added: a function giving a fresh client of its
    app, the patients' ids by name, and the clients made (to close)."""
    from fastapi.testclient import TestClient

    from backstride import store
    from backstride._accounts import hash_password
    from backstride.web import create_app
    from backstride.web._demo import ALEX, SAM, seed_demo

    demo = seed_demo(tmp_path / "demo")
    with clinic_db(demo.database_url) as s:
        store.create_user(s, ADMIN_EMAIL, "Ada Admin", "admin", password_hash=hash_password(PASSWORD))
        ids = {p.name: store.get_user_by_email(s, p.email).id for p in (ALEX, SAM)}  # type: ignore[union-attr]
    made: list[Any] = []

    def fresh() -> Any:
        app = create_app(demo.database_url, demo.blob_dir, secret_key=demo.secret_key, upgrade_database=False)
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    return fresh, ids, made


def test_every_page_of_the_demo_clinic_has_a_title_of_its_own_naming_the_patient_once(tmp_path: Path) -> None:
    from backstride.web._demo import ALEX, SAM, THERAPIST

    fresh, ids, made = _demo_clients(tmp_path)
    try:
        alex, sam = ids[ALEX.name], ids[SAM.name]
        titles: dict[str, dict[str, str]] = {}  # person -> URL (or what was done) -> title

        patient = fresh()
        sign_in(patient, ALEX.email, ALEX.password)
        titles["patient"] = _walk(patient)
        assert titles["patient"][f"/patients/{alex}/log"] == "Daily log · backstride"

        therapist = fresh()
        sign_in(therapist, THERAPIST.email, THERAPIST.password)
        seen = _walk(therapist)
        for who in (
            alex,
            sam,
        ):  # the pages a clinician reaches by the address (a patient's own, linked for them)
            for page in ("plan", "log", "progress", "checkin/result"):
                url = f"/patients/{who}/{page}"
                seen[url] = _get_title(therapist, url) or ""
        link = post(therapist, f"/patients/{alex}/access", {"kind": "link"})
        seen["a new first-login link"] = _title(link.text)  # type: ignore[attr-defined]
        password = post(therapist, f"/patients/{sam}/access", {"kind": "password"})
        seen["a new password"] = _title(password.text)  # type: ignore[attr-defined]
        added = post(
            therapist,
            "/clinician/patients/new",
            {
                "name": "Jo Newman",
                "email": "jo@demo.backstride",
                "age": "40",
                "sex": "male",
                "access": "link",
            },
        )
        seen["a patient added"] = _title(added.text)  # type: ignore[attr-defined]
        welcome = given_link(added)
        jo = re.search(r'href="/patients/(\d+)"', added.text)  # type: ignore[attr-defined]
        assert jo
        seen[f"/patients/{jo.group(1)}/plan"] = _get_title(therapist, f"/patients/{jo.group(1)}/plan") or ""
        titles["therapist"] = seen

        admin = fresh()
        sign_in(admin, ADMIN_EMAIL)
        seen = _walk(admin)
        kim = post(
            admin, "/admin/staff", {"name": "Kim Cover", "email": "kim@demo.backstride", "role": "clinician"}
        )
        seen["a clinician added"] = _title(kim.text)  # type: ignore[attr-defined]
        kim_id = re.search(
            r'/admin/staff/(\d+)/access"', admin.get("/admin/staff").text.split("Kim Cover", 1)[1]
        )
        assert kim_id
        again = post(admin, f"/admin/staff/{kim_id.group(1)}/access", {"kind": "password"})
        seen["a clinician's new password"] = _title(again.text)  # type: ignore[attr-defined]
        me = re.search(r'<option value="(\d+)"[^>]*>Ada Admin', admin.get(f"/patients/{alex}").text)
        assert me
        for who, clinician in ((sam, kim_id.group(1)), (alex, me.group(1))):
            joined = post(admin, f"/patients/{who}/care-team", {"clinician": clinician})
            assert joined.status_code == 303  # type: ignore[attr-defined]
        asked = post(admin, f"/patients/{sam}/care-team/{kim_id.group(1)}/remove")
        seen["removing a clinician asked"] = _title(asked.text)  # type: ignore[attr-defined]
        leaving = post(admin, f"/patients/{alex}/care-team/{me.group(1)}/remove")
        seen["leaving asked"] = _title(leaving.text)  # type: ignore[attr-defined]
        titles["administrator"] = seen

        visitor = fresh()
        titles["visitor"] = {
            url: _get_title(visitor, url) or "" for url in ("/signin", welcome, "/no/such/page")
        }
    finally:
        for client in made:
            client.__exit__(None, None, None)

    assert (
        titles["therapist"]["a new first-login link"] == "A new first-login link for Alex Morgan · backstride"
    )
    assert titles["therapist"]["a new password"] == "A new password for Sam Okafor · backstride"
    assert titles["therapist"]["a patient added"] == "Patient added – Jo Newman · backstride"
    assert titles["administrator"]["a clinician added"] == "Clinician added: Kim Cover · backstride"
    assert (
        titles["administrator"]["removing a clinician asked"]
        == "Remove Kim Cover from Sam Okafor's care team? · backstride"
    )
    assert titles["administrator"]["leaving asked"] == "Leave Alex Morgan's care team? · backstride"
    assert titles["visitor"]["/no/such/page"] == "Page not found · backstride"
    assert titles["visitor"][welcome] == "Welcome · backstride"
    names = {ALEX.name, SAM.name, "Jo Newman"}
    for person, seen in titles.items():
        assert len(seen) >= (3 if person == "visitor" else 20), (person, seen)  # the walk went round the app
        own: dict[str, str] = {}
        for url, title in seen.items():
            said = title.removesuffix(" · backstride").strip()
            assert said and said != "backstride", (person, url, title)
            for name in names:
                assert title.count(name) <= 1, (person, url, title)
            if person in ("therapist", "administrator") and (found := re.match(r"/patients/(\d+)", url)):
                whose = next((n for n, i in ids.items() if str(i) == found.group(1)), None)
                if whose and not url.split("?")[0].endswith(
                    _DOCUMENTS
                ):  # a staff page of a patient says whose it is
                    assert whose in title, (person, url, title)
            if title.endswith(" · backstride"):  # an app page (a document's own title is the report's)
                own.setdefault(url.split("?")[0], title)
        assert len(set(own.values())) == len(own), (person, sorted(own.items(), key=lambda kv: kv[1]))
