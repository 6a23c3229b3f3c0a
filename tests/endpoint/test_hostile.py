"""Malformed and hostile requests get vLLM's errors and never crash or wedge the server."""

from __future__ import annotations

import socket
import threading

import requests

from grader.endpoint import app, config

CHAT = {"model": config.SERVED_MODEL, "messages": [{"role": "user", "content": "hi"}]}


def test_slow_client_does_not_block_others(fidelity, post) -> None:
    slow = socket.create_connection(("127.0.0.1", fidelity.port))
    try:
        slow.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
        for _ in range(5):
            assert post("/v1/chat/completions", CHAT, timeout=5).status_code == 200
    finally:
        slow.close()


def test_body_over_the_guard_is_refused(fidelity, fsession, monkeypatch) -> None:
    monkeypatch.setattr(app, "MAX_BODY", 1000)
    response = requests.post(fidelity.base_url + "/chat/completions", data=b"x" * 5000,
                             headers={"Authorization": f"Bearer {fsession.api_key}", "content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["type"] == "BadRequestError"


def test_wrong_shapes(post) -> None:
    for body in ([1, 2], "text", None, {"messages": "hi"}, {"messages": [{"content": "no role"}]},
                 {"messages": [{"role": "wizard", "content": "x"}]}, {"messages": [], "n": 0}):
        response = post("/v1/chat/completions", body)
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == 400


def test_garbage_bytes_and_concurrency(fidelity, fsession) -> None:
    results: list[int] = []

    def hammer() -> None:
        for _ in range(10):
            results.append(requests.post(fidelity.base_url + "/chat/completions", data=bytes(range(256)),
                                         headers={"Authorization": f"Bearer {fsession.api_key}",
                                                  "content-type": "application/json"}).status_code)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [400] * 40
    assert requests.get(fidelity.root_url + "/health").status_code == 200


def test_broken_http_is_answered_or_closed(fidelity) -> None:
    with socket.create_connection(("127.0.0.1", fidelity.port), timeout=5) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")
        reply = raw.recv(1000)
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400")
    assert requests.get(fidelity.root_url + "/health").status_code == 200
