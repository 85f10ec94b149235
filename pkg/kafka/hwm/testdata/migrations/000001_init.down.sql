DROP TABLE records;
DROP TABLE stream_hwm;
