-- Audit entries are append-only: the database refuses to change one, whoever asks.
-- Deleting stays possible for the retention purge, which removes entries only after their own period.
CREATE TRIGGER "audit_entry_no_update" BEFORE UPDATE ON "audit_entry"
BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only');
END;
