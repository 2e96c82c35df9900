-- Audit entries are append-only: the database refuses to change one, whoever asks.
-- Deleting stays possible for the retention purge, which removes entries only after their own period.
CREATE FUNCTION "audit_entry_refuse_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END;
$$;

CREATE TRIGGER "audit_entry_no_update" BEFORE UPDATE ON "audit_entry"
FOR EACH ROW EXECUTE FUNCTION "audit_entry_refuse_update"();
