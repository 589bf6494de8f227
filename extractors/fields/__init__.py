"""Field extractors per document type, over the layout's line index."""
