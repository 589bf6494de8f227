"""python -m samples.generate --out DIR --n N --seed S [--types ...] [--scan-ratio 0.5] [--photo-ratio 0]

Writes N sample files (PDF, images, DOCX) and one ground-truth JSON beside each.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import pypdfium2 as pdfium

from .contract_text import make_contract
from .invoice_data import make_invoice
from .render_contract import write_contract_docx, write_contract_pdf
from .render_invoice import write_invoices_pdf
from .render_voucher import LAYOUTS, make_voucher, write_voucher_pdf
from .scan import write_photo, write_scan

TYPES = {"invoice": 0.45, "payment_voucher": 0.25, "contract": 0.30}
PREFIX = {"invoice": "inv", "payment_voucher": "vou", "contract": "con"}
INVOICE_KINDS = ["vat_special", "vat_ordinary", "e_invoice"]
PARAMS_FILE = ".generate-params"  # how a folder was generated (not *.json: not a ground-truth file)
CONTRACT_KINDS = ["construction", "subcontract", "purchase", "lease", "service"]


def _counts(n: int, types: list[str]) -> dict[str, int]:
    w = {t: TYPES[t] for t in types}
    tot = sum(w.values())
    exact = {t: n * v / tot for t, v in w.items()}
    counts = {t: int(x) for t, x in exact.items()}
    for t in sorted(types, key=lambda t: exact[t] - counts[t], reverse=True)[: n - sum(counts.values())]:
        counts[t] += 1
    return counts


def _spread(k: int, ratio: float, rng: random.Random) -> list[bool]:
    """k flags with a share ``ratio`` of True, evenly spread (both values as soon as k >= 2)."""
    off = rng.random()
    flags = [int((j + 1) * ratio + off) > int(j * ratio + off) for j in range(k)]
    return flags


def _cycle(items: list, k: int, rng: random.Random) -> list:
    order = items[:]
    rng.shuffle(order)
    return [order[j % len(order)] for j in range(k)]


def plan(n: int, seed: int, types: list[str], scan_ratio: float, photo_ratio: float = 0.0) -> list[dict]:
    rng = random.Random(f"plan:{seed}")
    counts = _counts(n, types)
    slots: list[dict] = []
    # invoices: kinds cycled, scanned spread within each kind, multi-invoice PDFs
    kinds = _cycle(INVOICE_KINDS, counts.get("invoice", 0), rng)
    inv = [{"type": "invoice", "kind": k, "pages": 1} for k in kinds]
    for k in INVOICE_KINDS:
        group = [s for s in inv if s["kind"] == k]
        for s, flag in zip(group, _spread(len(group), scan_ratio, rng)):
            s["scanned"] = flag
    digital = [s for s in inv if not s["scanned"]] or inv
    if len(inv) >= 6 and digital:
        rng.choice(digital)["pages"] = rng.randint(2, 4)
    for s in inv:
        if s["pages"] == 1 and rng.random() < 0.05:
            s["pages"] = rng.randint(2, 4)
    slots += inv
    # vouchers: layouts cycled, scanned spread
    lays = _cycle(list(LAYOUTS), counts.get("payment_voucher", 0), rng)
    for lay, flag in zip(lays, _spread(len(lays), scan_ratio, rng)):
        slots.append({"type": "payment_voucher", "layout": lay, "scanned": flag})
    # contracts: ~1 in 4 DOCX (never scanned), the rest spread between digital and scanned
    k = counts.get("contract", 0)
    ckinds = _cycle(CONTRACT_KINDS, k, rng)
    n_docx = max(1 if k >= 3 else 0, round(k / 4))
    docx = set(rng.sample(range(k), n_docx)) if k else set()
    rest = [j for j in range(k) if j not in docx]
    flags = dict(zip(rest, _spread(len(rest), scan_ratio, rng)))
    for j in range(k):
        slots.append({"type": "contract", "kind": ckinds[j], "docx": j in docx,
                      "scanned": flags.get(j, False)})
    # scanned formats cycled so that a small set shows every container
    singles = [s for s in slots if s["scanned"] and s.get("pages", 1) == 1 and s["type"] != "contract"]
    for s, fmt in zip(singles, _cycle(["jpeg", "png", "webp", "bmp", "image_pdf", "tiff"], len(singles), rng)):
        s["fmt"] = fmt
    multi = [s for s in slots if s["scanned"] and s not in singles]
    for s, fmt in zip(multi, _cycle(["tiff", "image_pdf"], len(multi), rng)):
        s["fmt"] = fmt
    rng.shuffle(slots)
    if photo_ratio:
        _photos(slots, photo_ratio, random.Random(f"photo:{seed}"))
    return slots


def _photos(slots: list[dict], ratio: float, rng: random.Random) -> None:
    """Mark a share ``ratio`` of each type as phone photos (a DOCX contract is printed first).

    Its own rng, after the plan: with ratio 0 a seed's files stay what they always were;
    the other files keep their digital/scanned split."""
    for t in TYPES:
        group = [s for s in slots if s["type"] == t]
        for s, flag in zip(group, _spread(len(group), ratio, rng)):
            if flag:
                s.update(scanned=True, photo=True, docx=False)
                s.pop("fmt", None)


def _pdf_pages(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def make_one(i: int, slot: dict, out: Path, seed: int, mutate=None) -> dict:
    """``mutate(slot, data)``, if given, edits the content before rendering (samples.tamper)."""
    rng = random.Random(f"doc:{seed}:{i}")
    stem = f"{PREFIX[slot['type']]}_{i:04d}"
    tmp = out / f".{stem}.tmp.pdf"
    docs, gt = [], {"scanned": bool(slot["scanned"])}
    if slot["type"] == "invoice":
        invoices = [make_invoice(rng, slot["kind"]) for _ in range(slot["pages"])]
        if mutate:
            mutate(slot, invoices)
        templates = write_invoices_pdf(tmp, invoices, rng)
        for k, (inv, tpl) in enumerate(zip(invoices, templates), 1):
            docs.append({"doc_type": "invoice", "page_range": [k, k], "template": tpl,
                         **({"qr_payload": inv["qr"]} if inv["qr"] else {}), "fields": inv["fields"]})
        gt["template"] = templates[0] if len(set(templates)) == 1 else "+".join(templates)
    elif slot["type"] == "payment_voucher":
        v = make_voucher(rng, slot["layout"])
        if mutate:
            mutate(slot, [v])
        gt["template"] = write_voucher_pdf(tmp, v, rng)
        docs.append({"doc_type": "payment_voucher", "page_range": [1, 1], "fields": v["fields"]})
    else:
        ct = make_contract(rng, slot["kind"])
        gt["template"] = f"contract_{ct['kind']}_{ct['sign_mode']}"
        if slot["docx"]:
            path = out / f"{stem}.docx"
            write_contract_docx(path, ct, rng)
            gt.update(file=path.name, variant="docx", pages=None)
            docs.append({"doc_type": "contract", "page_range": None, "fields": ct["fields"]})
            return _finish(out, stem, gt, docs)
        write_contract_pdf(tmp, ct, rng)
        docs.append({"doc_type": "contract", "page_range": None, "fields": ct["fields"]})
    pages = _pdf_pages(tmp)
    if slot["type"] == "contract":
        docs[0]["page_range"] = [1, pages]
    gt["pages"] = pages
    if slot.get("photo"):
        path, info = write_photo(tmp, out / stem, rng)
        tmp.unlink()
        gt.update(file=path.name, variant=info["format"], capture="photo", photo=info)
    elif slot["scanned"]:
        path, info = write_scan(tmp, out / stem, rng, slot.get("fmt"))
        tmp.unlink()
        gt.update(file=path.name, variant=info["format"], scan=info)
    else:
        path = out / f"{stem}.pdf"
        tmp.replace(path)
        gt.update(file=path.name, variant="digital_pdf")
    return _finish(out, stem, gt, docs)


def _finish(out: Path, stem: str, gt: dict, docs: list) -> dict:
    record = {"file": gt.pop("file"), "scanned": gt.pop("scanned"), "variant": gt.pop("variant"),
              "template": gt.pop("template"), **gt, "documents": docs}
    (out / f"{stem}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")
    return record


def generate(out, n: int, seed: int, types: list[str] | None = None, scan_ratio: float = 0.5,
             log=None, photo_ratio: float = 0.0) -> list[dict]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    types = types or list(TYPES)
    params = {"n": n, "seed": seed, "types": types, "scan_ratio": scan_ratio}
    if photo_ratio:  # only then: older folders' params stay byte for byte
        params["photo_ratio"] = photo_ratio
    (out / PARAMS_FILE).write_text(json.dumps(params) + "\n", encoding="utf-8")  # for samples.tamper
    records = []
    for i, slot in enumerate(plan(n, seed, types, scan_ratio, photo_ratio), 1):
        rec = make_one(i, slot, out, seed)
        records.append(rec)
        if log:
            log(f"{rec['file']:<16} {rec['variant']:<12} {rec['template']}")
    return records


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samples.generate", description=__doc__)
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--n", type=int, default=20, help="number of files")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--types", default=",".join(TYPES),
                    help="comma list of invoice,payment_voucher,contract")
    ap.add_argument("--scan-ratio", type=float, default=0.5, help="share of scanned files (0..1)")
    ap.add_argument("--photo-ratio", type=float, default=0.0,
                    help="share of files captured as phone photos, JPEG (0..1); the rest split by --scan-ratio")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args(argv)
    types = [t.strip() for t in a.types.split(",") if t.strip()]
    bad = [t for t in types if t not in TYPES]
    if bad:
        ap.error(f"unknown type(s): {', '.join(bad)}; choose from {', '.join(TYPES)}")
    if not 0 <= a.scan_ratio <= 1:
        ap.error("--scan-ratio must be between 0 and 1")
    if not 0 <= a.photo_ratio <= 1:
        ap.error("--photo-ratio must be between 0 and 1")
    generate(a.out, a.n, a.seed, types, a.scan_ratio, None if a.quiet else print, a.photo_ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
