-- Indexes a DBA would add for the five audience filters, built after the COPY, then
-- statistics. Each statement is timed separately.
-- Every key and value of every document (jsonb_ops: @>, ?, ?|, ?&, @?, @@).
CREATE INDEX profiles_doc_gin ON profiles USING gin (doc);
-- "last open within N days": a btree on the date as a number.
CREATE INDEX profiles_last_open ON profiles (((doc->>'cio_last_open_ts')::bigint));
-- "email LIKE '*@domain'": trigrams of the email.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX profiles_email_trgm ON profiles USING gin ((doc->>'email') gin_trgm_ops);
VACUUM (ANALYZE) profiles;
