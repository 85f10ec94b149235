-- The schema of the Kotlin original as of its last migration (V21), with
-- the additions marked "Added here".

-- Every Arena message received, with where its handling stands.
CREATE TABLE arena_data (
    id                  SERIAL PRIMARY KEY,
    arena_table_name    VARCHAR   NOT NULL,
    -- The Arena row id as text (deltaker, hist deltaker or gjennomføring).
    arena_id            VARCHAR   NOT NULL,
    operation_type      VARCHAR   NOT NULL,
    -- GoldenGate's position: 20 digits, so text order is numeric order.
    operation_pos       VARCHAR   NOT NULL,
    -- Wall-clock times are Europe/Oslo local time, as everywhere here.
    operation_timestamp TIMESTAMP NOT NULL,
    ingest_status       VARCHAR   NOT NULL DEFAULT 'NEW',
    ingested_timestamp  TIMESTAMP,
    ingest_attempts     INT       NOT NULL DEFAULT 0,
    last_attempted      TIMESTAMP,
    before              JSONB,
    after               JSONB,
    note                VARCHAR,
    -- Added here: the record value of a message that could not be read,
    -- stored INVALID instead of blocking its partition. NULL otherwise.
    raw                 TEXT,

    -- Keep in step with the Go list ingest.Statuses (a test compares them).
    CONSTRAINT arena_data_ingest_status_check CHECK (ingest_status IN
        ('NEW', 'HANDLED', 'RETRY', 'FAILED', 'IGNORED', 'INVALID', 'WAITING', 'EXTERNAL_SOURCE')),
    -- Added here: UNKNOWN is the operation of an unreadable message, whose
    -- op_type was missing or not I, U or D; only INVALID rows have it.
    CONSTRAINT arena_data_operation_type_check CHECK (operation_type IN
        ('CREATED', 'MODIFIED', 'DELETED', 'UNKNOWN')),
    CONSTRAINT arena_data_unknown_operation_is_invalid CHECK (
        operation_type <> 'UNKNOWN' OR ingest_status = 'INVALID')
);

-- A message's identity: re-delivery of the same message updates its row.
CREATE UNIQUE INDEX arena_data_table_operation_type_operation_pos_idx
    ON arena_data (arena_table_name, operation_type, operation_pos);

-- All messages of one Arena row (per-deltaker ordering, history).
CREATE INDEX arena_data_table_name_arena_id_idx ON arena_data (arena_id, arena_table_name);

-- Operators' re-ingest queries by table, operation and status.
CREATE INDEX arena_data_name_type_status_idx ON arena_data (arena_table_name, operation_type, ingest_status);

-- Added here: the rows something will pick up again. A retry tick pages
-- through one status of one table in position order
--   WHERE ingest_status = $1 AND arena_table_name = $2 AND operation_pos > $3
--   ORDER BY operation_pos LIMIT $4
-- and with equality on the first two columns this index hands out rows
-- already in operation_pos order, so a page costs its LIMIT rows and no
-- sort however large the table. It also serves the FAILED count, flipping
-- a gjennomføring's WAITING deltakere to RETRY, and the hourly delete of
-- IGNORED rows. It is partial because nearly every row ends HANDLED and
-- is never looked up by status again: the index stays as small as the
-- backlog. (The original's plain index on ingest_status alone was not
-- used by the planner and was dropped; this one leads with the columns
-- the queries fix and ends with the one they order by.)
CREATE INDEX arena_data_pending_idx
    ON arena_data (ingest_status, arena_table_name, operation_pos)
    WHERE ingest_status IN ('RETRY', 'FAILED', 'WAITING', 'IGNORED');

-- Arena deltaker id → the deltaker's AMT UUID, created once and used as
-- Kafka key and payload id ever after.
CREATE TABLE arena_data_id_translation (
    amt_id           UUID    PRIMARY KEY,
    arena_table_name VARCHAR NOT NULL,
    arena_id         VARCHAR NOT NULL
);

CREATE UNIQUE INDEX arena_data_id_translation_arena_table_name_arena_id_idx
    ON arena_data_id_translation (arena_table_name, arena_id);

-- Arena hist deltaker id → AMT UUID. arena_id is the TILTAKDELTAKER id
-- when the UUID is also that deltaker's.
CREATE TABLE arena_data_hist_id_translation (
    amt_id        UUID    PRIMARY KEY,
    arena_hist_id VARCHAR NOT NULL,
    arena_id      VARCHAR
);

CREATE UNIQUE INDEX arena_data_hist_id_translation_arena_hist_id_idx
    ON arena_data_hist_id_translation (arena_hist_id);

-- What deltaker handling needs to know about a gjennomføring.
CREATE TABLE gjennomforing (
    arena_id    VARCHAR     PRIMARY KEY,
    -- Arena's TILTAKSKODE as first seen.
    tiltak_kode VARCHAR     NOT NULL,
    is_valid    BOOLEAN     NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- Mulighetsrommet's UUID for it, once known.
    id          UUID
);

-- A structured copy of Arena TILTAKDELTAKER rows, for matching hist
-- deltakere and for re-publishing.
CREATE TABLE deltaker (
    -- A row id of its own, not the AMT deltaker id.
    id                 UUID        PRIMARY KEY,
    -- The ids are BIGINT where the original has INTEGER: Arena's ids are
    -- 64-bit.
    arena_id           BIGINT      NOT NULL,
    person_id          BIGINT      NOT NULL,
    gjennomforing_id   BIGINT      NOT NULL,
    dato_fra           DATE,
    dato_til           DATE,
    reg_dato           TIMESTAMPTZ NOT NULL,
    mod_dato           TIMESTAMPTZ NOT NULL,
    -- Arena's DELTAKERSTATUSKODE, or FEILREGISTRERT after a forwarded delete.
    status             VARCHAR     NOT NULL,
    dato_statusendring TIMESTAMPTZ,
    ekstern_id         UUID,
    arena_source_table VARCHAR     NOT NULL,
    created_at         TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    modified_at        TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT deltaker_arena_id_arena_source_table_key UNIQUE (arena_id, arena_source_table)
);

-- Added here: hist matching looks a person's deltakere on one
-- gjennomføring up.
CREATE INDEX deltaker_person_id_gjennomforing_id_idx ON deltaker (person_id, gjennomforing_id);
