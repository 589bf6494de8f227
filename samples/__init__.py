"""Synthetic sample documents (invoices, bank receipts, contracts) with ground truth.

Run ``python -m samples.generate --out DIR --n N --seed S``; see samples/README.md.
"""
