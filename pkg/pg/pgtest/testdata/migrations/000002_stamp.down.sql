DROP TABLE stamp;
