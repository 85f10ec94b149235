DROP TABLE IF EXISTS deltaker;
DROP TABLE IF EXISTS gjennomforing;
DROP TABLE IF EXISTS arena_data_hist_id_translation;
DROP TABLE IF EXISTS arena_data_id_translation;
DROP TABLE IF EXISTS arena_data;
