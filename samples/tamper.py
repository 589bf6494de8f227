"""python -m samples.tamper --src DIR --out DIR --seed S [--per-file 2]

Tampered variants of a folder made by ``python -m samples.generate`` (which leaves
``.generate-params`` there), each with ground truth ``expected_flags`` in its JSON;
the originals are copied too (``*_clean``, ``expected_flags: []``).

Kinds (each file gets ``--per-file`` of those that apply to it, cycled so every kind occurs):

* ``figures``  invoice total / voucher amount changed in figures only, words kept → AMOUNT_WORDS_MISMATCH
  (+ AMOUNT_MISMATCH on invoices; + QR_MISMATCH where the QR carries the total)
* ``line``     an invoice line amount changed, totals kept → AMOUNT_MISMATCH
* ``tax_id``   the seller's credit code gets a wrong check character → TAX_ID_INVALID
* ``qr``       printed invoice number differs from the QR (QR kept) → QR_MISMATCH
* ``image_draw`` / ``image_copy`` (scans): an amount's digits erased and redrawn in another font
  and size without scan noise, or a digit patch copied from elsewhere on the page → IMAGE_TAMPERING
* ``image_blot`` (scans): the line that names the seller (an invoice) or the payee (a voucher) whited
  out, as correction fluid or a torn-off strip leaves it: a required field unread → LOW_CONFIDENCE
* ``pdf_update`` (digital PDFs): an incremental update (pypdf ``incremental=True``) that paints a
  white box and a new amount over page 1 → PDF_TAMPERING
* ``deal``     (contracts) the contract with invoices and a voucher that name its number (合同编号 in
  the remarks, the voucher's 用途): an invoice between its parties within its price (no flag), then in
  turn one naming another buyer (→ PARTY_MISMATCH), one that takes the invoiced sum past the price
  (→ OVER_CONTRACT_AMOUNT), a voucher from another payer (→ PARTY_MISMATCH). Digital PDFs, named
  ``con_NNNN_deal`` / ``_party`` / ``_over`` / ``_payer``: after ``con_NNNN_clean`` in path order.
* ``rescan``   the same pages printed and scanned or photographed again (other skew, a 90° turn,
  JPEG q≈35, noise and blur, another scale, a phone photo in perspective) → DUPLICATE_DOCUMENT
  (+ DUPLICATE_INVOICE on invoices). ``STEM_rescan`` sorts after ``STEM_clean``, so the original
  is ingested first when the set goes through one home in path order (``docintel eval``).

The first four re-render the document from the generator with the edit (a forgery made
from scratch, scanned again when the original was a scan); the next three edit the file.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from extractors.normalize.ids import USCC_ALPHABET, uscc_valid
from extractors.normalize.numerals import amount_to_words

from .common import money, q2
from .fakedata import make_company
from .generate import INVOICE_KINDS, PARAMS_FILE, PREFIX, make_one, plan
from .invoice_data import invoice_fields
from .render_voucher import LAYOUTS
from .scan import photo

DATA_KINDS = ["figures", "line", "tax_id", "qr"]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MONEY = re.compile(r"\d[\d,]*\.\d{2}$")  # an amount at the end of a word (after ¥, RMB …)
MIN_MOVE = 3  # px: a cell pasted nearer its own source moves a digit's edges by less than their anti-aliasing


# ---- data-level edits, applied by the generator before rendering ----

def _bump(d: Decimal, rng: random.Random) -> Decimal:
    return d + Decimal(rng.choice([1, 9, 50, 100, 520, 1000, 9000]))


def _bad_check(code: str, rng: random.Random) -> str:
    wrong = [c for c in USCC_ALPHABET if c != code[17]]
    return code[:17] + rng.choice(wrong)


def applicable(slot: dict, record: dict) -> list[str]:
    kinds = ["figures"]
    if slot["type"] == "invoice":
        kinds += ["line", "tax_id"]
        if record["documents"][0].get("qr_payload"):
            kinds.append("qr")
    if record["scanned"] and record.get("scan", {}).get("rotation", 0) == 0:
        kinds += ["image_draw", "image_copy", "image_blot"]
    if not record["scanned"]:
        kinds.append("pdf_update")
    kinds.append("rescan")
    return kinds


def mutator(kind: str, rng: random.Random, expected: list[str]):  # type: ignore[no-untyped-def]
    """A ``mutate(slot, data)`` for samples.generate.make_one that edits the first document."""
    def mutate(slot: dict, items: list[dict]) -> None:
        d = items[0]
        if slot["type"] == "payment_voucher":
            d["amount"] = _bump(d["amount"], rng)
            expected.append("AMOUNT_WORDS_MISMATCH")
            return
        if kind == "figures":
            d["total"] = _bump(d["total"], rng)
            expected.extend(["AMOUNT_WORDS_MISMATCH", "AMOUNT_MISMATCH"])
            if d["qr"] and d["qr"].split(",")[1] in ("31", "32", "61"):
                expected.append("QR_MISMATCH")
        elif kind == "line":
            ln = d["lines"][0]
            ln["amount"] = _bump(ln["amount"], rng)
            expected.append("AMOUNT_MISMATCH")
        elif kind == "tax_id":
            role = "seller" if uscc_valid(d["seller"]["tax_id"]) else "buyer"
            d[role] = {**d[role], "tax_id": _bad_check(d[role]["tax_id"], rng)}
            expected.append("TAX_ID_INVALID")
        elif kind == "qr":
            n = d["number"]
            j = rng.randrange(len(n) - 4, len(n))
            d["number"] = n[:j] + str((int(n[j]) + rng.randint(1, 9)) % 10) + n[j + 1:]
            expected.append("QR_MISMATCH")
    return mutate


# ---- file-level edits ----

def _pdf_update(src: Path, dst: Path, rng: random.Random) -> None:
    """Append an incremental update painting a white box and a new figure over a money value."""
    import pdfplumber
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    with pdfplumber.open(src) as pdf:
        p0 = pdf.pages[0]
        words = [w for w in p0.extract_words() if MONEY.search(w["text"])]
        w, h = float(p0.width), float(p0.height)
    target = max(words, key=lambda x: float(MONEY.search(x["text"]).group(0).replace(",", ""))) if words else \
        {"x0": w * 0.6, "x1": w * 0.8, "top": h * 0.5, "bottom": h * 0.52, "text": "1.00"}
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(w, h))
    x0, x1, top, bottom = target["x0"], target["x1"], target["top"], target["bottom"]
    c.setFillColorRGB(1, 1, 1)
    c.rect(x0 - 1, h - bottom - 1, x1 - x0 + 2, bottom - top + 2, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica", (bottom - top) * 0.95)
    text = target["text"]
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    j = digits[0]
    new = text[:j] + str((int(text[j]) % 9) + 1) + text[j + 1:]
    c.drawString(x0, h - bottom + 1, new)
    c.save()
    overlay = PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    writer = PdfWriter(str(src), incremental=True)
    writer.pages[0].merge_page(overlay)
    with open(dst, "wb") as fh:
        writer.write(fh)


def _load_frames(path: Path, variant: str) -> list[Image.Image]:
    if variant == "image_pdf":
        import pypdfium2 as pdfium
        pdf = pdfium.PdfDocument(str(path))
        try:
            return [pdf[i].render(scale=200 / 72).to_pil().convert("RGB") for i in range(len(pdf))]
        finally:
            pdf.close()
    img = Image.open(path)
    frames = []
    for k in range(getattr(img, "n_frames", 1)):
        img.seek(k)
        frames.append(img.convert("L" if img.mode in ("L", "1") else "RGB"))
    return frames


def _save_frames(frames: list[Image.Image], dst: Path, variant: str, quality: int, mode1: bool) -> None:
    dpi = (200, 200)
    if variant == "png":
        im = frames[0]
        if im.mode == "RGB":
            im = im.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        im.save(dst, "PNG", dpi=dpi)
    elif variant == "jpeg":
        frames[0].save(dst, "JPEG", quality=quality, dpi=dpi)
    elif variant == "bmp":
        frames[0].convert("L").point(lambda v: 255 if v > 165 else 0).convert("1").save(dst, "BMP", dpi=dpi)
    elif variant == "webp":
        frames[0].save(dst, "WEBP", quality=quality, method=4)
    elif variant == "tiff":
        frames[0].save(dst, "TIFF", save_all=True, append_images=frames[1:], compression="jpeg",
                       quality=quality, dpi=dpi)
    else:
        frames[0].save(dst, "PDF", save_all=True, append_images=frames[1:], resolution=200, quality=quality)


def _ocr_lines(img: Image.Image, dpi: float) -> list:  # type: ignore[type-arg]
    from extractors.ocr import get_engine
    from pipeline.settings import get_settings

    engine = get_engine(get_settings().ocr)
    return engine.recognize(np.asarray(img.convert("RGB"))[:, :, ::-1].copy(), dpi)


def _money_words(img: Image.Image, dpi: float) -> list[tuple[str, tuple[int, int, int, int]]]:
    k = dpi / 72.0
    out = []
    for line in _ocr_lines(img, dpi):
        for w in (line.words or [line]):
            t = w.text.strip().lstrip("¥￥:：")
            if MONEY.search(t) and sum(ch.isdigit() for ch in t) >= 4:
                x0, y0, x1, y1 = w.bbox
                out.append((t, (int(x0 * k), int(y0 * k), int(x1 * k), int(y1 * k))))
    return out


def _blot(frames: list[Image.Image], record: dict, dpi: float) -> tuple[str, tuple[int, int, int, int]]:
    """White out the line that names the seller (invoice) or payee (voucher) on the first page, in place."""
    fields = record["documents"][0]["fields"]
    name = fields.get("seller_name") or fields.get("payee_name") or ""
    key = re.sub(r"\s+", "", name)[:6]
    img = frames[0]
    lines = [ln for ln in _ocr_lines(img, dpi) if key and key in re.sub(r"\s+", "", ln.text)]
    if not lines:
        raise RuntimeError(f"the line naming {name!r} was not read")
    k = dpi / 72.0
    x0, y0, x1, y1 = (round(v * k) for v in lines[0].bbox)
    a = np.asarray(img).copy()
    around = np.concatenate([a[max(0, y0 - 8):max(0, y0 - 3), x0:x1].reshape(-1, *a.shape[2:]),
                             a[y1 + 3:y1 + 8, x0:x1].reshape(-1, *a.shape[2:])])
    a[max(0, y0 - 3):y1 + 3, max(0, x0 - 3):x1 + 3] = np.percentile(around, 90, axis=0).astype(a.dtype)
    frames[0] = Image.fromarray(a)
    return lines[0].text, (x0 - 3, y0 - 3, x1 + 3, y1 + 3)


def _image_edit(src: Path, dst: Path, record: dict, kind: str, rng: random.Random) -> dict:
    variant = record["variant"]
    dpi = float(record.get("scan", {}).get("dpi", 200))
    frames = _load_frames(src, variant)
    if kind == "image_blot":
        text, box = _blot(frames, record, dpi)
        _save_frames(frames, dst, variant, int(record.get("scan", {}).get("quality", 75)), variant == "bmp")
        return {"page": 1, "bbox": [round(v * 72.0 / dpi, 1) for v in box], "line": text}
    img = frames[0]
    words = _money_words(img, dpi)
    if not words:
        raise RuntimeError("no amount found to tamper with")
    a = np.asarray(img).copy()
    text, (x0, y0, x1, y1) = max(words, key=lambda w: (w[1][2] - w[1][0]))
    hgt = y1 - y0
    digit_w = max(4, int(hgt * 0.55))
    if kind == "image_draw":
        # erase the integer digits before the decimals and draw others: another font, no noise
        ink = a[y0:y1, x0:x1]
        paper = np.median(np.concatenate([a[max(0, y0 - 6):y0, x0:x1].reshape(-1, *a.shape[2:]),
                                          a[y1:y1 + 6, x0:x1].reshape(-1, *a.shape[2:])]), axis=0)
        dark = np.percentile(ink.reshape(-1, *a.shape[2:]), 3, axis=0)
        n = rng.randint(2, 4)
        ex1 = x1 - int(3 * digit_w)  # keep ".dd"
        ex0 = max(x0, ex1 - n * digit_w)
        a[y0:y1, ex0:ex1] = paper.astype(a.dtype)
        pil = Image.fromarray(a)
        draw = ImageDraw.Draw(pil)
        size = int(hgt * rng.uniform(0.95, 1.2))
        font = ImageFont.truetype(FONT, size)
        new = "".join(str(rng.randint(0, 9)) for _ in range(n))
        fill = tuple(int(v) for v in np.atleast_1d(dark)) if a.ndim == 3 else int(np.atleast_1d(dark)[0])
        draw.text((ex0, y0 + rng.randint(-2, 2)), new, font=font, fill=fill)
        a = np.asarray(pil).copy()
        box = (ex0, y0, ex1, y1)
    else:
        # copy a digit cell from another amount (or another place in the same one) over a digit
        others = [w for w in words if w[1] != (x0, y0, x1, y1)] or words
        _, (sx0, sy0, sx1, _sy1) = rng.choice(others)
        sx = rng.randint(sx0, max(sx0, sx1 - 3 * digit_w - digit_w))
        tx = rng.randint(x0, max(x0, x1 - 4 * digit_w))
        if sy0 == y0 and abs(sx - tx) < MIN_MOVE:  # no edit at all (seed 2727's vou_0041: 1 px): the far end
            lo, hi = sx0, max(sx0, sx1 - 4 * digit_w)
            sx = lo if tx - lo >= hi - tx else hi
        patch = a[sy0:sy0 + hgt, sx:sx + digit_w].copy()
        a[y0:y0 + patch.shape[0], tx:tx + patch.shape[1]] = patch
        box = (tx, y0, tx + patch.shape[1], y0 + patch.shape[0])
    frames[0] = Image.fromarray(a)
    _save_frames(frames, dst, variant, int(record.get("scan", {}).get("quality", 75)),
                 variant == "bmp")
    k = 72.0 / dpi
    return {"page": 1, "bbox": [round(v * k, 1) for v in box], "word": text}


RESCANS = ["rotate", "turn", "jpeg", "noise", "scale", "photo"]
PAPER = (244, 242, 236)


def _rescan_page(img: Image.Image, how: str, rng: random.Random) -> tuple[Image.Image, int, float | None]:
    """(page, JPEG quality, dpi or None) for one page printed and captured again."""
    img = img.convert("RGB")
    if how == "rotate":
        angle = rng.choice([-1, 1]) * rng.uniform(1.0, 3.0)
        return img.rotate(angle, expand=True, fillcolor=PAPER, resample=Image.Resampling.BICUBIC), 80, 200
    if how == "turn":
        angle = rng.choice([90, 270]) + rng.uniform(-1.0, 1.0)
        return img.rotate(angle, expand=True, fillcolor=PAPER, resample=Image.Resampling.BICUBIC), 80, 200
    if how == "jpeg":
        return img, rng.randint(30, 40), 200
    if how == "noise":
        import cv2

        nrng = np.random.default_rng(rng.getrandbits(32))
        a = np.asarray(img).astype(np.float32) + nrng.normal(0, rng.uniform(8, 14), (img.height, img.width, 1))
        a = cv2.GaussianBlur(np.clip(a, 0, 255).astype(np.uint8), (0, 0), rng.uniform(0.5, 1.0))
        return Image.fromarray(a), 70, 200
    if how == "scale":
        k = rng.choice([rng.uniform(0.5, 0.7), rng.uniform(1.3, 1.5)])
        size = (round(img.width * k), round(img.height * k))
        return img.resize(size, Image.Resampling.LANCZOS), 80, round(200 * k)
    return photo(img, rng), 70, None


def _rescan(src: Path, dst_stem: Path, record: dict, how: str, rng: random.Random) -> Path:
    """Every page captured again, all the same way; one page → JPEG, several → an image PDF."""
    variant = "image_pdf" if record["variant"] == "digital_pdf" else record["variant"]
    seed = rng.random()
    pages = [_rescan_page(im, how, random.Random(seed)) for im in _load_frames(src, variant)]
    if len(pages) == 1:
        im, quality, dpi = pages[0]
        dst = dst_stem.with_suffix(".jpg")
        im.save(dst, "JPEG", quality=quality, **({"dpi": (dpi, dpi)} if dpi else {}))
        return dst
    dst = dst_stem.with_suffix(".pdf")
    ims = [im for im, _, _ in pages]
    ims[0].save(dst, "PDF", save_all=True, append_images=ims[1:], resolution=pages[0][2] or 200,
                quality=pages[0][1])
    return dst


# ---- the folder ----

def tamper(src: Path, out: Path, seed: int, per_file: int = 2, log=None) -> list[dict]:  # type: ignore[no-untyped-def]
    params = json.loads((src / PARAMS_FILE).read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"tamper:{seed}")
    slots = plan(params["n"], params["seed"], params["types"], params["scan_ratio"],
                 params.get("photo_ratio", 0.0))
    made: list[dict] = []
    counter: dict[str, int] = {}
    tmp = out / ".work"
    tmp.mkdir(exist_ok=True)
    deals = random.Random(f"deal:{seed}")  # its own: the other kinds stay what they were
    for i, slot in enumerate(slots, 1):
        stem = f"{PREFIX[slot['type']]}_{i:04d}"
        gt_path = src / f"{stem}.json"
        if not gt_path.exists():
            continue
        if slot["type"] == "contract":
            made += _deal(i, json.loads(gt_path.read_text(encoding="utf-8")), src, out, tmp, params["seed"],
                          deals, counter, log)
            continue
        record = json.loads(gt_path.read_text(encoding="utf-8"))
        f = src / record["file"]
        clean = out / f"{stem}_clean{f.suffix}"
        shutil.copyfile(f, clean)
        _write_gt(out, clean, record, [], {"kind": "clean"})
        kinds = applicable(slot, record)
        kinds.sort(key=lambda k: (counter.get(k, 0), rng.random()))  # the rarest kinds first
        for kind in kinds[:per_file]:
            counter[kind] = counter.get(kind, 0) + 1
            expected: list[str] = []
            info: dict = {"kind": kind}
            try:
                if kind in DATA_KINDS:
                    rec = make_one(i, slot, tmp, params["seed"], mutator(kind, rng, expected))
                    made_file = tmp / rec["file"]
                    dst = out / f"{stem}_{kind}{made_file.suffix}"
                    made_file.replace(dst)
                    (tmp / f"{stem}.json").unlink(missing_ok=True)
                elif kind == "rescan":
                    how = RESCANS[(counter[kind] - 1) % len(RESCANS)]
                    dst = _rescan(f, out / f"{stem}_{kind}", record, how, rng)
                    info["how"] = how
                    expected.append("DUPLICATE_DOCUMENT")
                    if slot["type"] == "invoice":
                        expected.append("DUPLICATE_INVOICE")
                elif kind == "pdf_update":
                    dst = out / f"{stem}_{kind}.pdf"
                    _pdf_update(f, dst, rng)
                    expected.append("PDF_TAMPERING")
                else:
                    dst = out / f"{stem}_{kind}{f.suffix}"
                    info.update(_image_edit(f, dst, record, kind, rng))
                    expected.append("LOW_CONFIDENCE" if kind == "image_blot" else "IMAGE_TAMPERING")
            except Exception as exc:  # a kind that does not fit this file:  # noqa: BLE001 skip it, say so
                if log:
                    log(f"{stem} {kind}: skipped ({exc})")
                counter[kind] -= 1
                continue
            _write_gt(out, dst, record, sorted(set(expected)), info)
            made.append({"file": dst.name, "expected_flags": sorted(set(expected))})
            if log:
                log(f"{dst.name:<28} {','.join(sorted(set(expected)))}")
    shutil.rmtree(tmp, ignore_errors=True)
    return made


LINK_KINDS = ["party", "over", "payer"]


def _deal(i: int, record: dict, src: Path, out: Path, tmp: Path, seed: int, rng: random.Random,
          counter: dict[str, int], log=None) -> list[dict]:  # type: ignore[no-untyped-def]
    """The contract (``_clean``), an invoice between its parties within its price (``_deal``: no flag) and
    one linked document of the rarest ``LINK_KINDS`` so far, all naming the contract's number."""
    fields = record["documents"][0]["fields"]
    if not fields.get("contract_number") or not fields.get("total_amount"):
        return []
    stem = f"con_{i:04d}"
    f = src / record["file"]
    clean = out / f"{stem}_clean{f.suffix}"
    shutil.copyfile(f, clean)
    _write_gt(out, clean, record, [], {"kind": "clean"})
    price = Decimal(fields["total_amount"])
    signed = date.fromisoformat(fields["signing_date"]) if fields.get("signing_date") else date(2024, 1, 2)
    first = q2(price * Decimal(str(round(rng.uniform(0.3, 0.6), 3))))
    kind = min(LINK_KINDS, key=lambda k: (counter.get(k, 0), rng.random()))
    counter[kind] = counter.get(kind, 0) + 1
    other = make_company(rng)["name"]
    a, b = fields["party_a_name"], fields["party_b_name"]
    docs = [("deal", "invoice", first, a, [])]
    if kind == "party":
        docs.append(("party", "invoice", q2(price * Decimal("0.1")), other, ["PARTY_MISMATCH"]))
    elif kind == "over":
        docs.append(("over", "invoice", price - first + q2(price * Decimal("0.15")), a, ["OVER_CONTRACT_AMOUNT"]))
    else:
        docs.append(("payer", "payment_voucher", q2(first * Decimal("0.5")), other, ["PARTY_MISMATCH"]))
    made = []
    for k, (suffix, doc_type, total, debtor, expected) in enumerate(docs, 1):
        slot = ({"type": "invoice", "kind": rng.choice(INVOICE_KINDS), "pages": 1, "scanned": False}
                if doc_type == "invoice" else
                {"type": "payment_voucher", "layout": rng.choice(sorted(LAYOUTS)), "scanned": False})
        n = 10_000 + 10 * i + k  # its own content seed: no invoice number shared with another file
        when = signed + timedelta(days=45 * k)  # issued in this order: the over-invoice comes last
        rec = make_one(n, slot, tmp, seed, _linked(fields["contract_number"], debtor, b, total, when))
        dst = out / f"{stem}_{suffix}.pdf"
        (tmp / rec["file"]).replace(dst)
        (tmp / f"{PREFIX[doc_type]}_{n:04d}.json").unlink(missing_ok=True)
        _write_gt(out, dst, rec, expected, {"kind": suffix, "contract_number": fields["contract_number"]})
        made.append({"file": dst.name, "expected_flags": expected})
        if log:
            log(f"{dst.name:<28} {','.join(expected)}")
    return made


def _linked(number: str, debtor: str, creditor: str, total: Decimal, when: date):  # type: ignore[no-untyped-def]
    """A ``mutate(slot, data)`` for make_one: the document names contract ``number`` and is from the
    ``debtor`` to the ``creditor`` for ``total``, dated ``when`` (an invoice: one line, tax from the
    line's rate)."""
    def mutate(slot: dict, items: list[dict]) -> None:
        d = items[0]
        d["date"] = when
        if slot["type"] == "payment_voucher":
            d["payer"] = {**d["payer"], "name": debtor}
            d["payee"] = {**d["payee"], "name": creditor}
            d["amount"], d["words"] = total, amount_to_words(total)
            d["purpose"] = f"支付{number}合同款"
            d["fields"].update(payer_name=debtor, payee_name=creditor, amount=money(total),
                               amount_in_words=d["words"], purpose=d["purpose"], payment_date=when.isoformat())
            return
        ln = d["lines"][0]
        r = Decimal(ln["rate"]) / 100
        amount = q2(total / (1 + r))
        ln = {**ln, "quantity": Decimal(1), "unit_price": amount, "amount": amount, "tax": q2(amount * r)}
        d["lines"] = [ln]
        d["amount"], d["tax"] = ln["amount"], ln["tax"]
        d["total"] = d["amount"] + d["tax"]
        d["words"] = amount_to_words(d["total"])
        d["buyer"] = {**d["buyer"], "name": debtor}
        d["seller"] = {**d["seller"], "name": creditor}
        d["remarks"] = f"合同编号：{number}"
        if d["qr"]:
            parts = d["qr"].split(",")
            parts[4] = money(d["total"] if parts[1] == "32" else d["amount"])
            parts[5] = f"{when:%Y%m%d}"
            d["qr"] = ",".join(parts)
        d["fields"] = invoice_fields(d)
    return mutate


def _write_gt(out: Path, path: Path, record: dict, expected: list[str], info: dict) -> None:
    rec = {**record, "file": path.name, "expected_flags": expected, "tamper": info}
    path.with_suffix(".json").write_text(json.dumps(rec, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv=None) -> int:  # type: ignore[no-untyped-def]
    ap = argparse.ArgumentParser(prog="python -m samples.tamper", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", required=True, type=Path, help="a folder made by samples.generate")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-file", type=int, default=2, help="tampered variants per source file")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args(argv)
    if not (a.src / PARAMS_FILE).exists():
        ap.error(f"{a.src} has no {PARAMS_FILE}: make it with python -m samples.generate")
    tamper(a.src, a.out, a.seed, a.per_file, None if a.quiet else print)
    return 0


if __name__ == "__main__":
    sys.exit(main())
