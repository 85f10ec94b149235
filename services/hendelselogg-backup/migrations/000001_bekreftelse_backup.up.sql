-- The original schema, unchanged: three data tables (one per topic) and the
-- high-water-mark table. Later migrations only add columns and tables.

CREATE TABLE bekreftelse_hendelser
(
    version          smallint NOT NULL,
    kafka_partition  smallint NOT NULL,
    kafka_offset     bigint   NOT NULL,
    record_key       bigint   NOT NULL,
    arbeidssoeker_id bigint   NOT NULL,
    traceparent      varchar(58),
    data             jsonb    NOT NULL,
    primary key (version, kafka_partition, kafka_offset)
);

CREATE TABLE bekreftelser
(
    version         smallint NOT NULL,
    kafka_partition smallint NOT NULL,
    kafka_offset    bigint   NOT NULL,
    record_key      bigint   NOT NULL,
    traceparent     varchar(58),
    data            bytea    NOT NULL,
    primary key (version, kafka_partition, kafka_offset)
);

CREATE TABLE bekreftelse_paa_vegne_av
(
    version         smallint NOT NULL,
    kafka_partition smallint NOT NULL,
    kafka_offset    bigint   NOT NULL,
    record_key      bigint   NOT NULL,
    traceparent     varchar(58),
    data            bytea    NOT NULL,
    primary key (version, kafka_partition, kafka_offset)
);

CREATE TABLE bekreftelse_hwm
(
    version         smallint     NOT NULL,
    kafka_partition smallint     NOT NULL,
    kafka_offset    bigint       NOT NULL,
    kafka_topic     varchar(255) NOT NULL,
    primary key (version, kafka_partition, kafka_topic)
);

CREATE INDEX bekreftelse_hendelser_data_idx ON bekreftelse_hendelser USING GIN (data jsonb_path_ops);
CREATE INDEX bekreftelse_hendelser_arbeidssoeker_id_idx ON bekreftelse_hendelser (arbeidssoeker_id);

-- No GIN indexes on bekreftelser.data or bekreftelse_paa_vegne_av.data:
-- PostgreSQL has no GIN operator class for bytea (there is no "bytea_ops" for
-- GIN), so such an index cannot be created. Rows in these tables are found by
-- record_key or by (kafka_partition, kafka_offset).
