-- Offsets that were gone from Kafka (retention) before the backup read them.
-- Written when a partition has to resume above its high-water mark + 1.
CREATE TABLE backup_gap
(
    version         smallint     NOT NULL,
    kafka_topic     varchar(255) NOT NULL,
    kafka_partition smallint     NOT NULL,
    from_offset     bigint       NOT NULL,
    to_offset       bigint       NOT NULL,
    detected_at     timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (version, kafka_topic, kafka_partition, from_offset)
);
