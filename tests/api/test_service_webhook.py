"""The completion webhook in embedded mode: a local receiver that fails once, then accepts.

The receiver is ``http.server`` on 127.0.0.1 (port chosen by the OS) in a thread; nothing leaves
the machine. The API signs the body with ``DOCINTEL_SERVICE_WEBHOOK_SECRET``
(``X-Docintel-Signature: sha256=<hex hmac>``), which the test verifies on every delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_service_support import make_key, upload, wait_done

SECRET = "s3cret-测试"


class Receiver:
    """Answers 500 to the first ``fail_first`` POSTs, 204 afterwards; records every request."""

    def __init__(self, fail_first: int = 1):
        self.fail_first = fail_first
        self.requests: list[dict[str, Any]] = []
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.cond:
                    n = len(receiver.requests)
                    code = 500 if n < receiver.fail_first else 204
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers.items()),
                                              "body": body, "at": time.monotonic(), "answered": code})
                    receiver.cond.notify_all()
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # keep pytest's output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/docintel"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True, name="webhook-receiver")

    def wait_for(self, n: int, timeout: float) -> list[dict[str, Any]]:
        with self.cond:
            self.cond.wait_for(lambda: len(self.requests) >= n, timeout=timeout)
            return list(self.requests)


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=1)
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture()
def client_app(tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch):
    from api.app import create_app
    from pipeline.settings import get_settings

    # ServiceSettings is read from the environment when a job finishes and when a delivery is made
    monkeypatch.setenv("DOCINTEL_SERVICE_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("DOCINTEL_SERVICE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("DOCINTEL_SERVICE_WEBHOOK_RETRIES", "3")
    monkeypatch.delenv("DOCINTEL_SERVICE_TEST_JOB_SLEEP_S", raising=False)
    app = create_app(get_settings(home=tmp_path / "home"))  # no Redis: the in-process queue
    assert app.state.queue.kind == "in-process"
    with TestClient(app) as client:
        yield app, client


def test_service_webhook_on_completion_retried_after_500(client_app, receiver: Receiver):
    app, client = client_app
    clerk = make_key(app, org="acme")
    doc_id = upload(client, clerk, "inv_0008.pdf")[0]["id"]
    doc = wait_done(client, clerk, doc_id, timeout=20)
    assert doc["status"] == "done", doc

    got = receiver.wait_for(2, timeout=15)
    assert [r["answered"] for r in got] == [500, 204], got  # one failure, then the retry was accepted
    time.sleep(0.5)
    assert len(receiver.requests) == 2  # no further delivery once one was accepted

    first, second = got
    assert second["at"] - first["at"] >= 0.5  # the retry came after a backoff, not at once
    assert first["body"] == second["body"]  # the same payload redelivered
    for r in got:
        h = {k.lower(): v for k, v in r["headers"].items()}
        assert r["path"] == "/hooks/docintel"
        assert h["content-type"] == "application/json"
        expected = "sha256=" + hmac.new(SECRET.encode(), r["body"], hashlib.sha256).hexdigest()
        assert hmac.compare_digest(h["x-docintel-signature"], expected)

    payload = json.loads(second["body"])
    assert payload == {"event": "document.finished", "id": doc_id, "org": "acme", "status": "done",
                       "documents": [doc_id]}


def test_service_webhook_backoff_does_not_hold_up_document_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A receiver that keeps failing: its retries wait out their backoff beside the jobs, not in their place."""
    from api.app import create_app
    from pipeline.settings import get_settings

    down = Receiver(fail_first=10**6)
    down.thread.start()
    monkeypatch.setenv("DOCINTEL_SERVICE_WEBHOOK_URL", down.url)
    monkeypatch.setenv("DOCINTEL_SERVICE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("DOCINTEL_SERVICE_WEBHOOK_RETRIES", "4")  # backoff 1 + 2 + 4 + 8 s before giving up
    monkeypatch.delenv("DOCINTEL_SERVICE_TEST_JOB_SLEEP_S", raising=False)
    try:
        app = create_app(get_settings(home=tmp_path / "home"), workers=1)
        with TestClient(app) as client:
            clerk = make_key(app)
            first = upload(client, clerk, "inv_0008.pdf")[0]["id"]
            assert wait_done(client, clerk, first, timeout=20)["status"] == "done"
            assert down.wait_for(1, timeout=10)  # the first delivery failed; its retry is now backing off
            second = upload(client, clerk, "vou_0003.pdf")[0]["id"]
            assert wait_done(client, clerk, second, timeout=12)["status"] == "done"
            tries = [r for r in down.requests if json.loads(r["body"])["id"] == first]
            assert 1 <= len(tries) < 5, f"the second document waited for all {len(tries)} webhook attempts"
            t0 = time.monotonic()
        assert time.monotonic() - t0 < 3  # shutting down does not sit out the remaining backoff
    finally:
        down.server.shutdown()
        down.server.server_close()
