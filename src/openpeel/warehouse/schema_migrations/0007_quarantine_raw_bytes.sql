-- Migration 7: quarantined rows keep their original bytes (invalid UTF-8 included), not only the
-- decoded text. Shipped; never edit.

ALTER TABLE meta_quarantine ADD COLUMN raw_bytes BLOB;
