"""The clerk pages in a real browser: Playwright driving Debian's chromium (/usr/bin/chromium).

Never ``playwright install``: the system chromium is used (``apt-get install -y chromium``,
in the Makefile's ``system-deps``). Skips when it is absent, except on CI.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from test_service_support import SAMPLES, free_port, make_key, on_ci

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture()
def server(tmp_path: Path):
    import uvicorn

    from api.app import create_app
    from pipeline.settings import get_settings

    app = create_app(get_settings(home=tmp_path / "home"))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield app, f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(10)


def test_service_browser_upload_review_correct(server):
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if on_ci():
            pytest.fail(f"chromium missing at {CHROMIUM}: make system-deps")
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    import httpx

    app, base = server
    clerk = make_key(app, name="赵六")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{base}/ui")
            page.fill("#key-input", clerk["X-API-Key"])
            page.click("#login-form button[type=submit]")
            # the login checks the key with a request first, and only then shows the app and binds the file
            # input's handler: a file set before that is never uploaded (session 17: 120 s of polling, no POST)
            page.wait_for_selector("#file-input", state="visible")
            page.set_input_files("#file-input", str(SAMPLES / "inv_0008.pdf"))
            # the job loads the OCR and NER models on first use: on a busy 2-core machine that took over
            # 30 s once (session 16); how fast it runs is bench/'s business, not this test's
            row = page.wait_for_selector("#docs tr[data-status=done]", timeout=120_000)
            doc_id = row.get_attribute("data-id")
            assert "发票" in row.inner_text()
            page.click(f"#docs tr[data-id='{doc_id}'] a")
            page.wait_for_selector("#fields tbody tr[data-field=invoice_number]")
            page.wait_for_function("document.querySelector('.page img') && document.querySelector('.page img').naturalWidth > 0")
            assert page.locator(".field-box").count() >= 5  # fields drawn over the page image
            box = page.locator(".field-box[data-field=invoice_number]").bounding_box()
            img = page.locator(".page img").bounding_box()
            assert box and img and img["x"] <= box["x"] < img["x"] + img["width"] and box["width"] > 5
            row = page.locator("#fields tbody tr[data-field=total_amount]")
            old = row.locator("input").input_value()
            row.locator("input").fill("999.00")
            row.locator("button.save").click()
            page.wait_for_selector("#corrections tbody tr")
            assert "赵六" in page.inner_text("#corrections")
        finally:
            browser.close()
    trail = httpx.get(f"{base}/api/v1/documents/{doc_id}/corrections", headers=clerk).json()
    assert trail[0]["field"] == "total_amount" and trail[0]["old"] == old and trail[0]["new"] == "999.00"
    rec = httpx.get(f"{base}/api/v1/documents/{doc_id}", headers=clerk).json()["record"]
    assert rec["fields"]["total_amount"] == "999.00"
