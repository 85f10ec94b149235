-- The benchmark's target: the shape of a backup table.
CREATE TABLE bench_records (
    version         smallint NOT NULL,
    kafka_partition smallint NOT NULL,
    kafka_offset    bigint   NOT NULL,
    record_key      bytea,
    data            bytea    NOT NULL,
    PRIMARY KEY (version, kafka_partition, kafka_offset)
);
