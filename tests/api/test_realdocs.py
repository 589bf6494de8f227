"""Every real document in ../shared/realdocs goes through the pipeline, and the ones whose
values were read off the document (text layer, embedded XML, or the printed image) yield them."""

from __future__ import annotations

import pytest

from api.batch import collect, run_batch
from pipeline.settings import get_settings

FOLDERS = ["vat_invoice_pdf", "vat_invoice_image", "bank_receipt", "contract", "invoice_other_lang"]


@pytest.fixture(scope="module")
def records(realdocs, tmp_path_factory):
    """All real documents, processed once (two worker processes)."""
    settings = get_settings(home=tmp_path_factory.mktemp("home"))
    files = collect([realdocs / f for f in FOLDERS])
    out: dict[str, list] = {}
    for path, docs in run_batch(files, settings, jobs=2):
        out[path.name] = docs
    return out


def test_every_real_document_is_read_without_a_crash(records):
    assert len(records) >= 100
    for name, docs in records.items():
        assert docs, name
        for doc in docs:
            assert doc.status.value in ("done", "partial"), (name, doc.errors)
            assert not any("internal error" in e.message for e in doc.errors), (name, doc.errors)
            assert doc.doc_type in ("invoice", "contract", "payment_voucher", "other"), name


def _fields(records, name, index=0):
    return records[name][index].fields


def _values(records, name, index=0):
    return {k: f.value for k, f in _fields(records, name, index).items()}


@pytest.mark.parametrize(
    "name,expected",
    [
        ("ofdrw_ofdrw__1.ofd", {"invoice_code": "033002000211", "invoice_number": "83089647", "issue_date": "2020-07-23",
                                "buyer_name": "江苏京利华新材料有限公司", "seller_tax_id": "92330781MA2EDMFU50",
                                "amount_excl_tax": "510.68", "tax_amount": "15.32", "total_amount": "526.00"}),
        ("swpudp_OfdSharp__test2.ofd", {"invoice_kind": "vat_special", "invoice_number": "18925756",
                                        "issue_date": "2022-01-24", "total_amount": "15478.00"}),
        ("clm1100_parserpdf2__1.pdf", {"invoice_code": "011002000511", "invoice_number": "36523185",
                                       "issue_date": "2020-10-30", "seller_name": "北京滴滴出行科技有限公司",
                                       "total_amount": "104.12", "total_amount_in_words": "壹佰零肆圆壹角贰分"}),
        ("596966060_fapiao-rename__住宿费发票-6.8-广德_1785749043248.pdf",
         {"invoice_kind": "e_invoice", "invoice_number": "26342000001798762786", "total_amount": "268.00",
          "seller_name": "广德月满庭酒店（个体工商户）", "seller_tax_id": "92341882MAK1CDJB6X"}),
        ("yanjason552-coder_Intelligent-Invoice-Recognition__50356e14-5dc3-4c8f-9530-31f04f76c1ce.pdf",
         {"invoice_kind": "vat_ordinary", "invoice_number": "63199034", "total_amount": "398.00",
          "seller_name": "阔客（上海）餐饮服务有限公司"}),
        ("guanshuicheng_invoice__增值税专用发票.jpg", {"invoice_number": "87654321", "issue_date": "2010-11-18",
                                                 "buyer_name": "测试购方企业", "total_amount": "7018.83"}),
        ("guanshuicheng_invoice__机打普票.png", {"invoice_number": "41108527", "issue_date": "2019-03-19",
                                             "buyer_name": "深圳市华云中盛科技有限公司", "total_amount": "112.20"}),
        ("yanjason552-coder_Intelligent-Invoice-Recognition__1140ecd3-cc72-4f60-b742-add72d4b9432.jpg",  # photo on a bedspread
         {"invoice_number": "45038815", "total_amount": "1598.83", "buyer_name": "苏州信泰宜合信息技术有限公司",
          "buyer_tax_id": "91320594769869645C", "seller_name": "崇川区梦回酒吧", "seller_tax_id": "92320602MA27EXJ63X"}),
        ("guanshuicheng_invoice__机打专票.png", {"invoice_number": "00472703", "total_amount": "1500.00",
                                             "buyer_name": "小米商业保理（天津）有限责任公司",
                                             "buyer_tax_id": "91120118MA06APGQXE", "seller_name": "高新自助代开七"}),
        ("guanshuicheng_invoice__电子发票.png", {"invoice_number": "33207675", "total_amount": "52.70",
                                             "seller_name": "天津瑞佳讯贸易有限公司"}),
    ],
)
def test_real_invoice_values(records, name, expected):
    docs = records[name]
    assert docs[0].doc_type == "invoice"
    got = _values(records, name)
    assert {k: got.get(k) for k in expected} == expected


def test_ofd_embedded_items(records):
    items = _values(records, "ofdrw_ofdrw__1.ofd")["items"]
    assert items[0]["name"] == "*餐饮服务*餐费" and items[0]["amount"] == "510.68" and items[0]["tax_rate"] == "0.03"


def test_freight_receipt_voucher_is_not_an_invoice(records):
    assert records["clm1100_parserpdf2__2.pdf"][0].doc_type != "invoice"


def test_word_contract_templates(records):
    for name, docs in records.items():
        if name.endswith(".docx"):
            assert docs[0].doc_type == "contract", name
    got = _values(records, "yuqingyang3019-cyber_hetong__caigouhetong.docx")
    assert got["contract_title"] == "通用设备采购合同"
    assert got["party_a_name"] == "浙江沃乐科技股份有限公司"
    assert "party_b_name" not in got  # the template leaves 供方 as {{r supplierName }}: nothing is invented


def test_blank_bank_receipt_forms(records):
    """The bank receipt images are blank forms: typed as receipts, and no label is taken for a value."""
    receipts = [n for n in records if n.startswith("sy5683_PersonalTool__") and "acceptance" not in n]
    assert len(receipts) >= 25
    typed = sum(records[n][0].doc_type == "payment_voucher" for n in receipts)
    assert typed == len(receipts)
    invented = {n: _values(records, n) for n in receipts if _values(records, n)}
    assert len(invented) <= 3, invented
