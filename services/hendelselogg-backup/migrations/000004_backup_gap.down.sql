DROP TABLE backup_gap;
