import pytest

from liveview.session import InvalidToken, SessionToken, TokenSigner, new_view_id


def test_session_token_roundtrip() -> None:
    signer = TokenSigner("s3cret")
    token = signer.sign_session(SessionToken("phx-1", "/counter", {"user": 7}))
    assert signer.verify_session(token) == SessionToken("phx-1", "/counter", {"user": 7})


def test_tampered_session_token_refused() -> None:
    signer = TokenSigner("s3cret")
    token = signer.sign_session(SessionToken("phx-1", "/counter"))
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(InvalidToken):
        signer.verify_session(tampered)


def test_other_secret_refused() -> None:
    token = TokenSigner("one").sign_session(SessionToken("phx-1", "/"))
    with pytest.raises(InvalidToken):
        TokenSigner("two").verify_session(token)


def test_expired_token_refused() -> None:
    signer = TokenSigner("s", max_age=-1)
    with pytest.raises(InvalidToken):
        signer.verify_session(signer.sign_session(SessionToken("phx-1", "/")))


def test_static_token_bound_to_view() -> None:
    signer = TokenSigner("s")
    token = signer.sign_static("phx-1", {"info": "hi"})
    assert signer.verify_static(token, "phx-1") == {"info": "hi"}
    assert signer.verify_static(None, "phx-1") == {}
    with pytest.raises(InvalidToken):
        signer.verify_static(token, "phx-2")


def test_csrf_double_submit() -> None:
    signer = TokenSigner("s")
    cookie = signer.new_csrf_secret()
    token = signer.sign_csrf(cookie)
    signer.verify_csrf(token, cookie)
    with pytest.raises(InvalidToken):
        signer.verify_csrf(token, signer.new_csrf_secret())
    with pytest.raises(InvalidToken):
        signer.verify_csrf(None, cookie)
    with pytest.raises(InvalidToken):
        signer.verify_csrf(token, None)


def test_view_ids_unique() -> None:
    ids = {new_view_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("phx-") for i in ids)


def test_the_random_secret_warning_is_given_once_per_process(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liveview import session

    monkeypatch.setattr(session, "_warned_random_secret", False)
    monkeypatch.delenv(session.SECRET_ENV, raising=False)
    first, second = session.resolve_secret(None), session.resolve_secret(None)
    assert first != second
    assert caplog.text.count("No secret given") == 1
