-- PostgreSQL side of the audience benchmark (bench/audiences/run.sh): one row per profile,
-- the profile as JSONB (dates as Unix milliseconds). Run before the COPY.
DROP TABLE IF EXISTS profiles;
CREATE TABLE profiles (id bigint PRIMARY KEY, doc jsonb NOT NULL);
