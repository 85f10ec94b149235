-- Blocks while a test holds advisory lock 42, so a test can keep this
-- migration running for as long as it needs. Without the migration lock a
-- second runner would get here too and fail on CREATE TABLE.
SELECT pg_advisory_xact_lock(42);
CREATE TABLE gated (id int);
