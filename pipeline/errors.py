"""Errors a clerk can read. Each carries a message meant for people, not a traceback."""


class DocintelError(Exception):
    """Base class: ``str(err)`` is shown to users as is."""


class UnsupportedFileType(DocintelError):
    """The bytes are not a format docintel reads."""


class EmptyFile(DocintelError):
    """The file has no bytes."""


class FileTooLarge(DocintelError):
    """The file is over the configured size limit."""


class EncryptedFile(DocintelError):
    """The PDF needs a password."""


class CorruptFile(DocintelError):
    """The file claims a format but cannot be parsed."""


class OcrUnavailable(DocintelError):
    """The configured OCR engine cannot be loaded."""
