-- The inbox keeps each delivery's body verbatim as text: the server has already parsed it (and answered 400 to
-- anything that is not a JSON object) before storing it, and the only reader, the apply job, reads it back as text.
-- Storing jsonb made PostgreSQL parse every body again inside the webhook's acknowledgement.
ALTER TABLE inbox ALTER COLUMN payload TYPE text USING payload::text;
