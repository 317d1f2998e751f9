"""Signed tokens: sessions, CSRF and their failure modes."""

from __future__ import annotations

import time

import pytest

from backstride._accounts import hash_password, password_problem, random_password, verify_password
from backstride.web._security import Signer


def test_password_hashes_are_argon2_and_verify() -> None:
    hashed = hash_password("a good long password")
    assert hashed.startswith("$argon2id$")
    assert verify_password("a good long password", hashed)
    assert not verify_password("a good long passworD", hashed)
    assert not verify_password("anything", None)
    assert not verify_password("anything", "not a hash")


def test_random_password_shape() -> None:
    words = random_password().split("-")
    assert len(words) == 4 and all(len(w) == 4 for w in words)
    assert random_password() != random_password()


def test_session_round_trip_and_tampering() -> None:
    signer = Signer("k" * 32)
    data, token = signer.new_session("7")
    read = signer.read_session(token, 3600)
    assert read == data
    assert signer.read_session(token, 3600) is not None
    assert Signer("x" * 32).read_session(token, 3600) is None  # another key
    body, _, mac = token.partition(".")
    assert signer.read_session(body + "." + mac[::-1], 3600) is None
    assert signer.read_session("garbage", 3600) is None
    assert signer.read_session(None, 3600) is None


def test_session_expires() -> None:
    signer = Signer("k" * 32)
    _, token = signer.new_session("7")
    time.sleep(0.01)
    assert signer.read_session(token, 0.001) is None


def test_csrf_token_is_tied_to_the_session() -> None:
    signer = Signer("k" * 32)
    a, _ = signer.new_session(None)
    b, _ = signer.new_session(None)
    assert signer.check_csrf(a, signer.csrf_token(a))
    assert not signer.check_csrf(a, signer.csrf_token(b))
    assert not signer.check_csrf(a, "")
    assert not signer.check_csrf(None, signer.csrf_token(a))


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        Signer("short")


def test_password_rules() -> None:
    email = "Nora.New@home.test"
    assert password_problem("a long new password", email) is None
    assert password_problem("nora-walks-daily", email) is None  # a name inside a longer password is fine
    assert password_problem("short", email) == "Please choose a password of at least 10 characters."
    for guessable in ("nora.new@home.test", "my NORA.NEW@HOME.TEST!", "Nora.New  "):
        assert "not your email address" in str(password_problem(guessable, email)), guessable
    for repetitive in ("aaaaaaaaaa", "1212121212", "abcabcabca"):
        assert "more than a few different characters" in str(password_problem(repetitive, email)), repetitive
    assert password_problem(random_password(), email) is None
