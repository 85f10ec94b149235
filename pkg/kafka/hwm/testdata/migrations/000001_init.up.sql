CREATE TABLE stream_hwm (
    version         smallint     NOT NULL,
    kafka_topic     varchar(255) NOT NULL,
    kafka_partition smallint     NOT NULL,
    kafka_offset    bigint       NOT NULL,
    PRIMARY KEY (version, kafka_topic, kafka_partition)
);

-- No unique key on purpose: a record written twice must show up as two rows.
CREATE TABLE records (
    version         smallint NOT NULL,
    kafka_topic     text     NOT NULL,
    kafka_partition integer  NOT NULL,
    kafka_offset    bigint   NOT NULL,
    value           bytea
);
