"""The sign-in records (``store._signin``): sessions ended by sign-out or by a password change, and wrong
passwords, looked up and forgotten as the web app's security needs them."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, select

from backstride import store

T0 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)


def _at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_a_signed_out_session_is_ended_until_it_lapses_and_then_forgotten(engine: Engine) -> None:
    with store.transaction(engine) as s:
        store.end_session(s, "nonce-a", _at(60), now=_at(0))
        store.end_session(s, "nonce-a", _at(60), now=_at(1))  # signed out twice (two servers): no clash
    with store.transaction(engine, readonly=True) as s:
        assert store.session_ended(s, "nonce-a", 7, _at(-10))
        assert store.session_ended(s, "nonce-a", None, _at(-10))
        assert not store.session_ended(s, "nonce-b", 7, _at(-10))
        # only the nonce's SHA-256 is kept
        assert s.scalars(select(store.EndedSession.nonce_hash)).all() == [
            hashlib.sha256(b"nonce-a").hexdigest()
        ]
    with store.transaction(engine) as s:  # a later sign-out, after the first token would have lapsed
        store.end_session(s, "nonce-b", _at(130), now=_at(70))
    with store.transaction(engine, readonly=True) as s:
        assert store.ended_session_counts(s) == (1, 0)
        assert not store.session_ended(s, "nonce-a", 7, _at(-10))
        assert store.session_ended(s, "nonce-b", 7, _at(-10))


def test_a_password_change_ends_the_users_earlier_sessions_but_the_kept_one(engine: Engine) -> None:
    with store.transaction(engine) as s:
        store.end_sessions_before(s, 7, _at(0), "kept", _at(720), now=_at(0))
    with store.transaction(engine, readonly=True) as s:
        assert store.session_ended(s, "earlier", 7, _at(-5))
        assert store.session_ended(s, "same moment", 7, _at(0))
        assert not store.session_ended(s, "kept", 7, _at(0))
        assert not store.session_ended(s, "later", 7, _at(1))  # signed in after the change
        assert not store.session_ended(s, "earlier", 8, _at(-5))  # another user's
        assert not store.session_ended(s, "earlier", None, _at(-5))  # a visitor's
    with store.transaction(engine) as s:  # a second change replaces the first cut-off
        store.end_sessions_before(s, 7, _at(30), "kept again", _at(750), now=_at(30))
    with store.transaction(engine, readonly=True) as s:
        assert store.session_ended(s, "kept", 7, _at(0))
        assert not store.session_ended(s, "kept again", 7, _at(30))
        assert store.ended_session_counts(s) == (0, 1)
    with store.transaction(engine) as s:  # once every token from before has lapsed, the cut-off goes
        store.end_session(s, "other", _at(1500), now=_at(751))
    with store.transaction(engine, readonly=True) as s:
        assert store.ended_session_counts(s) == (1, 0)


def test_wrong_passwords_are_counted_by_account_address_and_both(engine: Engine) -> None:
    with store.transaction(engine) as s:
        for n, (account, address) in enumerate(
            [
                ("paula@home.test", "10.0.0.1"),
                ("paula@home.test", "10.0.0.2"),
                ("peter@home.test", "10.0.0.1"),
            ]
        ):
            store.record_failed_signin(s, account, address, _at(n), forget_up_to=_at(n - 15))
    with store.transaction(engine, readonly=True) as s:
        assert store.failed_signins(s, _at(-15), account="paula@home.test", limit=5) == [_at(1), _at(0)]
        assert store.failed_signins(s, _at(-15), address="10.0.0.1", limit=5) == [_at(2), _at(0)]
        assert store.failed_signins(s, _at(-15), address="10.0.0.1", limit=1) == [_at(2)]
        both = {"account": "paula@home.test", "address": "10.0.0.1", "limit": 5}
        assert store.failed_signins(s, _at(-15), **both) == [_at(0)]
        assert store.failed_signins(s, _at(0), account="paula@home.test", limit=5) == [_at(1)]  # after
        # the e-mail addresses are kept only as their SHA-256
        keys = s.scalars(select(store.SignInFailure.account_key)).all()
        assert len(keys) == 3 and not any("@" in key for key in keys) and all(len(k) == 64 for k in keys)
    with store.transaction(engine) as s:
        store.clear_failed_signins(s, "paula@home.test", "10.0.0.1")
    with store.transaction(engine, readonly=True) as s:
        assert store.failed_signins(s, _at(-15), **both) == []
        assert store.failed_signins(s, _at(-15), account="paula@home.test", limit=5) == [_at(1), _at(0)]
        assert store.failed_signins(s, _at(-15), address="10.0.0.1", limit=5) == [_at(2), _at(0)]
    with store.transaction(engine) as s:  # twenty minutes on: the three have left a 15-minute window
        store.record_failed_signin(s, "peter@home.test", "10.0.0.3", _at(20), forget_up_to=_at(5))
    with store.transaction(engine, readonly=True) as s:
        assert store.signin_failure_count(s) == 1
