"""Storage: object store (local folder, MinIO/S3), SQLAlchemy tables, repository functions, migrations.

Import the submodules directly (``storage.objects``, ``storage.db``, ``storage.repository``);
this package imports nothing heavy so that ``minio`` stays optional for embedded mode.
"""
