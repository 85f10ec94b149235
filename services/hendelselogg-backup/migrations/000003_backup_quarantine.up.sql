-- Records that cannot go into their topic's table (a key that is not an
-- 8-byte long, a null value, a hendelse that is not JSON or has no numeric
-- arbeidssoekerId, a value PostgreSQL refuses) are kept here whole, so the
-- high-water mark can move past them and a restore still replays them.
CREATE TABLE backup_quarantine
(
    version         smallint     NOT NULL,
    kafka_topic     varchar(255) NOT NULL,
    kafka_partition smallint     NOT NULL,
    kafka_offset    bigint       NOT NULL,
    key             bytea,
    value           bytea,
    headers         bytea        NOT NULL,
    timestamp       bigint,
    error           text         NOT NULL,
    quarantined_at  timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (version, kafka_topic, kafka_partition, kafka_offset)
);

COMMENT ON TABLE backup_quarantine IS
    'Records that could not be stored in their topic''s table; key and value are the raw bytes (NULL = null), '
    'headers and timestamp are encoded as in the data tables';
