"""Application documents use the core's file rules (portal/uploads.py): checked by their bytes, stored under random
keys in the document store (portal/storage.py). Kept here so licensing's modules and tests import from their own
package."""

from portal.uploads import (
    EXTENSIONS,
    MAX_BYTES,
    MAX_PAGES,
    FileRefused,
    StoredFile,
    clean_filename,
    open_stored,
    remove_stored,
    send_stored,
    sniff_content_type,
    store_pages,
    store_upload,
    stored_path,
    upload_folder,
)

__all__ = ["EXTENSIONS", "MAX_BYTES", "MAX_PAGES", "FileRefused", "StoredFile", "clean_filename", "open_stored",
           "remove_stored", "send_stored", "sniff_content_type", "store_pages", "store_upload", "stored_path",
           "upload_folder"]
