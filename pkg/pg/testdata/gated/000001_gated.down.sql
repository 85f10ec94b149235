DROP TABLE gated;
