-- What a byte-identical restore needs beyond the original columns. All new
-- columns are nullable: NULL means "not captured" (a row written before this
-- migration), never "empty".

ALTER TABLE bekreftelse_hendelser
    ADD COLUMN timestamp    bigint,
    ADD COLUMN headers      bytea,
    ADD COLUMN value        bytea,
    ADD COLUMN decode_error text;

ALTER TABLE bekreftelser
    ADD COLUMN timestamp bigint,
    ADD COLUMN headers   bytea;

ALTER TABLE bekreftelse_paa_vegne_av
    ADD COLUMN timestamp bigint,
    ADD COLUMN headers   bytea;

COMMENT ON COLUMN bekreftelse_hendelser.timestamp IS
    'Kafka record timestamp, milliseconds since the Unix epoch; NULL when the record had none';
COMMENT ON COLUMN bekreftelser.timestamp IS
    'Kafka record timestamp, milliseconds since the Unix epoch; NULL when the record had none';
COMMENT ON COLUMN bekreftelse_paa_vegne_av.timestamp IS
    'Kafka record timestamp, milliseconds since the Unix epoch; NULL when the record had none';

COMMENT ON COLUMN bekreftelse_hendelser.headers IS
    'Every record header in order, duplicates kept, in the Kafka v2 record header encoding: '
    'zigzag varint count, then per header zigzag varint key length, key bytes, '
    'zigzag varint value length (-1 for a null value), value bytes';
COMMENT ON COLUMN bekreftelser.headers IS
    'Every record header in order, duplicates kept, in the Kafka v2 record header encoding '
    '(see bekreftelse_hendelser.headers)';
COMMENT ON COLUMN bekreftelse_paa_vegne_av.headers IS
    'Every record header in order, duplicates kept, in the Kafka v2 record header encoding '
    '(see bekreftelse_hendelser.headers)';

COMMENT ON COLUMN bekreftelse_hendelser.value IS
    'The record value exactly as it was on the topic; data holds its canonical re-encoding';
COMMENT ON COLUMN bekreftelse_hendelser.decode_error IS
    'Why the value did not decode as a known hendelse; data then holds the JSON as received. NULL: data is canonical';
