// Package kafkatest runs an embedded Kafka for tests and for the local
// development stack: a kfake cluster (github.com/twmb/franz-go/pkg/kfake)
// that speaks the Kafka wire protocol on 127.0.0.1 over real TCP, driven here
// through sarama exactly like production code drives a real broker.
//
// In a test:
//
//	c := kafkatest.New(t, kfake.SeedTopics(3, "orders"))
//	c.Produce(t, &sarama.ProducerMessage{Topic: "orders", Key: sarama.StringEncoder("k"), Value: sarama.StringEncoder("v")})
//
//	// the code under test, with production settings and test timeouts
//	p, err := kafka.NewProducerFromSarama(c.Addrs(), c.SaramaConfig(t))
//	g, err := kafka.NewGroupFromSarama(c.Addrs(), c.SaramaConfig(t), "group", []string{"orders"}, handler)
//
//	// faults and observations
//	c.Fake().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "orders", Err: kerr.NotLeaderForPartition, Count: 3})
//	commits := c.CountRequests(kmsg.OffsetCommit)
//	c.DeleteRecordsBefore(t, "orders", 0, 10) // as retention would
//
// SaramaConfig is kafka.Config.Sarama with Tune applied: 1.5 s sessions,
// 200 ms heartbeats, 500 ms metadata refresh, short backoffs. New lets
// sessions that short through (kfake.GroupMinSessionTimeout).
//
// For the local stack, Start returns a cluster the caller closes; pass
// kfake.Ports(9092) for a fixed address, kfake.DataDir(dir) to keep topics,
// records and committed offsets across restarts, and EnsureTopic for the
// topics the services expect (kfake.SeedTopics is ignored when DataDir
// already holds state). kfake keeps every record in memory; give a long
// running broker retention (kfake.BrokerConfigs with log.retention.bytes) or
// restart it now and then.
//
// # How kfake differs from Kafka
//
//   - No replication: acks=all is satisfied by the leader alone. Inject
//     kerr.NotEnoughReplicas with Fault to test ISR trouble.
//   - OffsetFetch for a group the cluster has never seen answers
//     GROUP_ID_NOT_FOUND, where Kafka answers "no offset" (-1). A
//     sarama.ConsumerGroup is not affected (joining creates the group), but a
//     standalone sarama.OffsetManager and ClusterAdmin.ListConsumerGroupOffsets
//     fail on a fresh group. SeedGroup makes the group exist first.
//   - No initial rebalance delay: a lone member gets its partitions at once.
//   - A control function (Fake().Control) cannot tell which client sent a
//     request, and a ControlKey control that answers a request bypasses the
//     faults installed with Fake().Fault.
//   - Produce errors REQUEST_TIMED_OUT and NOT_ENOUGH_REPLICAS_AFTER_APPEND,
//     when injected, still append the records, as Kafka can; pick other codes
//     to fail a produce cleanly.
//
// Helpers that take a testing.TB fail the test on error and must be called
// from the test's goroutine.
package kafkatest
