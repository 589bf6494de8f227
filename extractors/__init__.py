"""Text extraction (OCR, PDF), layout, normalisation and field extraction."""
