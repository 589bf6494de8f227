"""`docintel extract` end to end on real documents: JSON Lines out, failures reported, state in --home."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def _extract(*args: str):
    result = runner.invoke(app, ["extract", *args])
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result, records


def test_multi_invoice_pdf_gives_one_record_per_invoice(realdocs, tmp_path):
    pdf = realdocs / "vat_invoice_pdf" / "384863451_invoice_ocr__huolala.pdf"
    result, records = _extract(str(pdf), "--home", str(tmp_path / "h"))
    assert result.exit_code == 0, result.output
    assert len(records) == 29
    assert [r["page_range"] for r in records] == [[i, i] for i in range(1, 30)]
    assert len({r["sha256"] for r in records}) == 1
    assert len({r["fields"]["invoice_number"] for r in records}) == 29
    first = records[0]["fields"]
    assert first["invoice_code"] == "012002100311" and first["invoice_number"] == "76293190"
    assert first["buyer_name"] == "河南省第一建筑工程集团有限责任公司"
    assert first["seller_tax_id"] == "91120118MA06YHFMX5"
    assert first["total_amount"] == "49.60" and first["total_amount_in_words"] == "肆拾玖圆陆角整"
    # no invoice of the file is a duplicate of another invoice of the same file
    assert not any(f["code"].startswith("DUPLICATE") for r in records for f in r["risk_flags"])


def test_e_invoice_fields_with_boxes(realdocs, tmp_path):
    pdf = realdocs / "vat_invoice_pdf" / "zqywuxie_invoice_management__dianzifapiao_youfei1.pdf"
    result, (rec,) = _extract(str(pdf), "--home", str(tmp_path / "h"))
    assert result.exit_code == 0
    f = rec["fields"]
    assert rec["doc_type"] == "invoice" and f["invoice_kind"] == "e_invoice"
    assert f["invoice_number"] == "25437000000297554203"
    assert f["issue_date"] == "2025-10-13"
    assert f["buyer_name"] == "南华大学" and f["buyer_tax_id"] == "124300004488048597"
    assert f["seller_name"] == "湖南顺丰速运有限公司" and f["seller_tax_id"] == "91430102727985656Y"
    assert (f["amount_excl_tax"], f["tax_amount"], f["total_amount"]) == ("16.04", "0.96", "17.00")
    assert "invoice_code" not in f
    detail = {d["name"]: d for d in rec["field_details"]}
    box = detail["invoice_number"]["bbox"]
    assert detail["invoice_number"]["source"] == "text_layer" and detail["invoice_number"]["page"] == 1
    assert 0 <= box[0] < box[2] and 0 <= box[1] < box[3]


def test_ofd_invoice(realdocs, tmp_path):
    _result, (rec,) = _extract(str(realdocs / "vat_invoice_pdf" / "ofdrw_ofdrw__20240531141733.ofd"),
                              "--home", str(tmp_path / "h"))
    f = rec["fields"]
    assert f["invoice_number"] == "24112000000048542163"
    assert f["issue_date"] == "2024-05-28"
    assert f["buyer_tax_id"] == "91460300MAA92DJN95" and f["seller_tax_id"] == "91110108690017781B"
    assert f["amount_excl_tax"] == "4197.17" and f["tax_amount"] == "251.83"


def test_batch_goes_on_after_failures_and_exit_status_says_so(realdocs, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(realdocs / "vat_invoice_pdf" / "clm1100_parserpdf2__1.pdf", folder / "a.pdf")
    (folder / "b.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "c.png").write_bytes(b"")
    sub = folder / "sub"
    sub.mkdir()
    shutil.copy(realdocs / "vat_invoice_pdf" / "clm1100_parserpdf2__1.pdf", sub / "d.pdf")
    out = tmp_path / "out.jsonl"
    result, records = _extract(str(folder), "--home", str(tmp_path / "h"), "--out", str(out))
    assert result.exit_code == 1
    assert [Path(r["source"]).name for r in records] == ["a.pdf", "b.pdf", "c.png", "d.pdf"]
    assert [r["status"] for r in records] == ["done", "failed", "failed", "done"]
    assert "empty" in records[2]["errors"][0]["message"]
    assert "failed" in result.stderr and "c.png" in result.stderr
    assert len(out.read_text().splitlines()) == 4
    assert (folder / "b.pdf").exists()  # the original is kept
    # d.pdf holds the same bytes as a.pdf, sorted later: it is the duplicate
    assert [f["code"] for f in records[3]["risk_flags"]] == ["DUPLICATE_DOCUMENT"]
    assert records[3]["risk_flags"][0]["evidence"]["document_id"] == records[0]["id"]


def test_duplicates_judged_against_the_home_across_runs(realdocs, tmp_path):
    pdf = realdocs / "vat_invoice_pdf" / "clm1100_parserpdf2__1.pdf"
    home = str(tmp_path / "h")
    _, (first,) = _extract(str(pdf), "--home", home)
    assert first["risk_flags"] == []
    _, (second,) = _extract(str(pdf), "--home", home)
    assert second["risk_flags"][0]["code"] == "DUPLICATE_DOCUMENT"
    # the same invoice in different bytes (a re-saved file): the same page image and the same invoice number
    copy = tmp_path / "resaved.pdf"
    copy.write_bytes(pdf.read_bytes() + b"\n% resaved\n")
    _, (third,) = _extract(str(copy), "--home", home)
    assert sorted(f["code"] for f in third["risk_flags"]) == ["DUPLICATE_DOCUMENT", "DUPLICATE_INVOICE"]
    assert (tmp_path / "h" / "docintel.sqlite3").exists()
    assert any((tmp_path / "h" / "objects" / "originals").rglob("*"))


def test_parallel_jobs_give_the_same_records_in_order(realdocs, tmp_path):
    files = sorted((realdocs / "vat_invoice_pdf").glob("yanjason*"))[:4]
    _, serial = _extract(*map(str, files), "--home", str(tmp_path / "a"))
    _, parallel = _extract(*map(str, files), "--home", str(tmp_path / "b"), "--jobs", "2")
    assert [r["fields"] for r in serial] == [r["fields"] for r in parallel]
    assert [r["source"] for r in serial] == [str(f) for f in files]



def test_a_batch_worker_exits_once_the_process_that_started_it_is_gone() -> None:
    """``api.batch._watch``, the workers' initializer: a worker whose parent was killed does not linger."""
    import subprocess
    import sys
    import time

    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    worker = subprocess.Popen([sys.executable, "-c",
                               f"import time; from api.batch import _watch; _watch({parent.pid}); time.sleep(30)"],
                              cwd=str(Path(__file__).resolve().parents[2]))
    parent.wait()
    t0 = time.monotonic()
    assert worker.wait(timeout=15) == 1 and time.monotonic() - t0 < 10
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    watched = subprocess.Popen([sys.executable, "-c",
                                f"import time; from api.batch import _watch; _watch({alive.pid}); time.sleep(4)"],
                               cwd=str(Path(__file__).resolve().parents[2]))
    try:
        assert watched.wait(timeout=20) == 0  # its parent alive: it runs to its own end
    finally:
        alive.kill()
