"""Storage errors: one-line classes, each a subclass of the builtin a caller would expect."""


class StorageError(Exception):
    """Base class for storage errors."""


class InvalidKey(StorageError, ValueError):
    """An object key is empty, absolute, or would escape the store's root (``..``)."""


class ObjectNotFound(StorageError, LookupError):
    """No object is stored under this key."""


class DocumentNotFound(StorageError, LookupError):
    """No document row has this id."""


class InvalidCursor(StorageError, ValueError):
    """A list cursor was not produced by ``list_documents`` (or was altered)."""
