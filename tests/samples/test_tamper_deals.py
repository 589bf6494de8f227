"""The tampered set's contract deals: a contract with invoices and a voucher that name its number, each with
the link flag it must raise, scored through ``docintel eval``'s own path (one home, path order)."""

from __future__ import annotations

import json

from api.evaluate import evaluate_folder
from classifiers.checks.evaluate import score
from samples.generate import generate
from samples.tamper import tamper


def test_contract_deals_raise_party_and_over_contract_flags_and_clean_links_none(tmp_path):
    src, out = tmp_path / "src", tmp_path / "tampered"
    generate(src, 3, 2718, types=["contract"], scan_ratio=0.0)
    made = tamper(src, out, 3)
    kinds = sorted(m["file"].split("_")[-1].split(".")[0] for m in made)
    assert kinds == ["deal", "deal", "deal", "over", "party", "payer"]  # each link kind once, rarest first
    for m in made:
        rec = json.loads((out / m["file"]).with_suffix(".json").read_text(encoding="utf-8"))
        contract = rec["tamper"]["contract_number"]
        fields = rec["documents"][0]["fields"]
        assert contract in (fields.get("remarks") or fields.get("purpose") or "")
    rows = evaluate_folder(out).flag_rows
    scores = score(rows)
    assert scores["PARTY_MISMATCH"] == (2, 0, 0)
    assert scores["OVER_CONTRACT_AMOUNT"] == (1, 0, 0)
    clean = [r for r in rows if not r["expected"]]
    assert len(clean) == 6 and not any(s == "red" for r in clean for _, s, _ in r["flags"])
