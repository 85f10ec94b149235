DROP TABLE bench_records;
