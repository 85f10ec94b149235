-- A value that differs every time this migration runs: databases with the
-- same stamp were cloned from the same template.
CREATE TABLE stamp AS SELECT gen_random_uuid() AS id;
