// Package kafka builds sarama clients for NAV services on NAIS: a Config read
// from the environment NAIS injects, an acks=all idempotent Producer, and a
// consumer-group runner (Group, RunGroup).
//
// # Configuration
//
// ConfigFromEnv reads KAFKA_BROKERS, KAFKA_CA_PATH, KAFKA_CERTIFICATE_PATH,
// KAFKA_PRIVATE_KEY_PATH and NAIS_APP_NAME. The three paths are all set (mTLS,
// as on NAIS/Aiven) or all empty (plaintext, for a local broker only).
// Validate reports every problem on one line, each prefixed with the
// environment variable that feeds the field, so a crash-looping pod tells the
// operator what to fix. Certificates are read once, when a client is built:
// NAIS rotates credentials by redeploying, so a process never needs to reload
// them.
//
// # Invariants
//
// Every *sarama.Config built by [Config.Sarama], and therefore every client in
// this package, has:
//
//   - a pinned protocol version ([DefaultVersion] unless Config.Version is
//     set). sarama caps each request at what the broker advertises through
//     ApiVersions, so the pin is a ceiling, not a requirement on the broker.
//   - TLS 1.2 or newer when TLS is configured, with the CA pool from
//     KAFKA_CA_PATH, the client certificate, and hostname verification on.
//     InsecureSkipVerify is never set, and neither is ServerName: sarama fills
//     it in from each broker's host, so every broker connection is verified
//     against the name it was dialled by.
//   - sarama's go-metrics registry replaced by a registry that hands out no-op
//     metrics. Real meters join a ticker goroutine that is never stopped and
//     keep every meter alive (sarama issue #1321); export what you need with
//     Prometheus. Because sarama also registers one meter outside of the
//     configured registry, importing this package sets go-metrics'
//     process-wide metrics.UseNilMetrics.
//   - bounded network timeouts and exponential metadata retry backoff.
//   - metadata fetched only for the topics a client uses (Metadata.Full off),
//     which matters on the shared NAV clusters with thousands of topics.
//
// A [Producer] always sends with acks=all, idempotence on, one request in
// flight per broker (so sarama's retries never reorder a partition) and at
// least one retry. Options can tune anything else but cannot turn these off.
// Keyed messages are partitioned with murmur2, exactly like the Java client,
// so a Go and a JVM producer put the same key on the same partition.
// [Producer.Send] returns nil only when the broker acknowledged every message.
//
// A [Group] joins a consumer group and consumes until its context is
// cancelled. A rebalance ends one sarama session and the runner joins again.
// Run returns nil when, and only when, its context was cancelled: by then
// every ConsumeClaim has returned, offsets marked so far have been committed
// (when auto-commit is on), and the member has left the group with a
// LeaveGroup request, so the remaining members rebalance at once instead of
// waiting out the session timeout. A new group starts from the oldest offset
// unless [WithInitialOffset] says otherwise.
//
// The handler contract is sarama's: ConsumeClaim must return soon after
// claim.Messages() is closed or sess.Context() is done, and it should call
// sess.MarkMessage only for messages whose processing is complete (at-least-once
// delivery).
package kafka
