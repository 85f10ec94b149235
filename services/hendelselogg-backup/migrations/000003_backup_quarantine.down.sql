DROP TABLE backup_quarantine;
