// Package pkg is the root of kafkapg's shared library: Kafka and Postgres
// building blocks for NAV services on NAIS. The useful code lives in the
// subpackages kafka, kafka/hwm, kafka/kafkatest, pg, pg/pgtest, nais and
// logging; this package holds nothing but this comment.
package pkg
