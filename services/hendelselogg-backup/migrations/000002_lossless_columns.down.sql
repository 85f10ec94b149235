ALTER TABLE bekreftelse_paa_vegne_av DROP COLUMN headers, DROP COLUMN timestamp;
ALTER TABLE bekreftelser DROP COLUMN headers, DROP COLUMN timestamp;
ALTER TABLE bekreftelse_hendelser DROP COLUMN decode_error, DROP COLUMN value, DROP COLUMN headers, DROP COLUMN timestamp;
