package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"
)

// Backoff between failed Consume calls (the group could not be joined). It
// starts over once a session was established.
const (
	groupRetryMin = 500 * time.Millisecond
	groupRetryMax = 30 * time.Second
)

// Group is one member of a consumer group. Build it with NewGroup and call
// Run once; Assignment and HasAssignment may be called at any time from any
// goroutine, for example by a readiness probe.
type Group struct {
	brokers []string
	sc      *sarama.Config
	id      string
	topics  []string
	handler sarama.ConsumerGroupHandler
	log     *zap.Logger

	started    atomic.Bool
	assignment atomic.Pointer[map[string][]int32]
}

// GroupOption customises a Group.
type GroupOption func(*groupOptions)

type groupOptions struct {
	log   *zap.Logger
	hooks []func(*sarama.Config)
}

// WithLogger logs the group's lifecycle (sessions, retries, leaving) and the
// errors sarama reports on its error channel. The default logs nothing.
func WithLogger(l *zap.Logger) GroupOption {
	return func(o *groupOptions) {
		if l != nil {
			o.log = l
		}
	}
}

// WithInitialOffset sets where a partition without a committed offset starts:
// sarama.OffsetOldest (the default) or sarama.OffsetNewest.
func WithInitialOffset(offset int64) GroupOption {
	return WithGroupConfig(func(sc *sarama.Config) { sc.Consumer.Offsets.Initial = offset })
}

// WithAutoCommit turns periodic committing of marked offsets on (the
// default) or off. With it off, nothing is committed unless the handler calls
// sess.Commit(); this is for consumers that keep their offsets elsewhere.
func WithAutoCommit(enabled bool) GroupOption {
	return WithGroupConfig(func(sc *sarama.Config) { sc.Consumer.Offsets.AutoCommit.Enable = enabled })
}

// WithRebalanceStrategy sets the partition assignor, for example
// sarama.NewBalanceStrategySticky(). The default is sarama's range assignor.
// Every member of a group must offer the same strategy.
func WithRebalanceStrategy(s sarama.BalanceStrategy) GroupOption {
	return WithGroupConfig(func(sc *sarama.Config) {
		sc.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{s}
	})
}

// WithSessionTimeout sets how long the coordinator waits for a heartbeat
// before it evicts the member, and heartbeats at a third of it. The broker
// bounds it (group.min/max.session.timeout.ms).
func WithSessionTimeout(d time.Duration) GroupOption {
	return WithGroupConfig(func(sc *sarama.Config) {
		sc.Consumer.Group.Session.Timeout = d
		sc.Consumer.Group.Heartbeat.Interval = d / 3
	})
}

// WithGroupConfig runs fn on the group's sarama config, after the options
// before it, for settings this package has no option for.
func WithGroupConfig(fn func(*sarama.Config)) GroupOption {
	return func(o *groupOptions) { o.hooks = append(o.hooks, fn) }
}

// NewGroup prepares a member of consumer group groupID, subscribed to topics,
// that hands its claims to h. It validates the configuration but does not
// connect; Run does.
func NewGroup(c Config, groupID string, topics []string, h sarama.ConsumerGroupHandler, opts ...GroupOption) (*Group, error) {
	sc, err := c.Sarama()
	if err != nil {
		return nil, err
	}
	return newGroup(c.Brokers, sc, groupID, topics, h, opts)
}

// NewGroupFromSarama is NewGroup for a sarama config of the caller's (for
// example a test config). sc is copied, not modified.
func NewGroupFromSarama(brokers []string, sc *sarama.Config, groupID string, topics []string, h sarama.ConsumerGroupHandler, opts ...GroupOption) (*Group, error) {
	if sc == nil {
		return nil, errors.New("kafka: NewGroupFromSarama: nil sarama config")
	}
	cp := *sc
	return newGroup(brokers, &cp, groupID, topics, h, opts)
}

func newGroup(brokers []string, sc *sarama.Config, groupID string, topics []string, h sarama.ConsumerGroupHandler, opts []GroupOption) (*Group, error) {
	switch {
	case len(brokers) == 0:
		return nil, errors.New("kafka: new group: no brokers")
	case groupID == "":
		return nil, errors.New("kafka: new group: empty group id")
	case len(topics) == 0 || slices.Contains(topics, ""):
		return nil, fmt.Errorf("kafka: new group %s: topics must be non-empty names, got %q", groupID, topics)
	case h == nil:
		return nil, fmt.Errorf("kafka: new group %s: nil handler", groupID)
	}
	o := groupOptions{log: zap.NewNop()}
	for _, opt := range opts {
		opt(&o)
	}
	for _, fn := range o.hooks {
		fn(sc)
	}
	sc.Consumer.Return.Errors = true // Run drains and logs them
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("kafka: new group %s: %w", groupID, err)
	}
	return &Group{
		brokers: slices.Clone(brokers),
		sc:      sc,
		id:      groupID,
		topics:  slices.Clone(topics),
		handler: h,
		log:     o.log.With(zap.String("group", groupID), zap.Strings("topics", topics)),
	}, nil
}

// RunGroup is NewGroup followed by Run.
func RunGroup(ctx context.Context, c Config, groupID string, topics []string, h sarama.ConsumerGroupHandler, opts ...GroupOption) error {
	g, err := NewGroup(c, groupID, topics, h, opts...)
	if err != nil {
		return err
	}
	return g.Run(ctx)
}

// Run joins the group and consumes until ctx is cancelled, joining again
// after every rebalance. On cancellation it ends the session (handlers see
// sess.Context() done, ConsumeClaim returns, Cleanup runs, marked offsets are
// committed when auto-commit is on), leaves the group, closes the client and
// returns nil.
//
// Run returns an error without ctx being cancelled only when it cannot go on:
// the configuration is invalid, a broker's certificate fails verification,
// or the brokers refuse the group or a topic for authorization reasons. Other
// errors (brokers unreachable, coordinator moves, a topic that does not exist
// yet, a handler's Setup failing) are logged and retried with backoff, from
// 0.5 s up to 30 s. Run may be called only once.
func (g *Group) Run(ctx context.Context) error {
	if !g.started.CompareAndSwap(false, true) {
		return fmt.Errorf("kafka: group %s: Run called more than once", g.id)
	}
	if ctx.Err() != nil {
		return nil
	}
	cg, err := sarama.NewConsumerGroup(g.brokers, g.id, g.sc)
	if err != nil {
		return fmt.Errorf("kafka: group %s: %w", g.id, err)
	}

	var drained sync.WaitGroup
	drained.Go(func() {
		for err := range cg.Errors() {
			g.log.Error("kafka consumer group error", zap.Error(err))
		}
	})

	runErr := g.consumeLoop(ctx, cg)

	// Close leaves the group (LeaveGroup) and closes the errors channel.
	if err := cg.Close(); err != nil && runErr == nil {
		g.log.Warn("kafka consumer group close", zap.Error(err))
	}
	drained.Wait()
	g.assignment.Store(nil)
	if runErr != nil {
		return runErr
	}
	g.log.Info("kafka consumer group left")
	return nil
}

func (g *Group) consumeLoop(ctx context.Context, cg sarama.ConsumerGroup) error {
	h := &trackingHandler{g: g}
	backoff := groupRetryMin
	for {
		before := h.sessions.Load()
		err := cg.Consume(ctx, g.topics, h)
		if ctx.Err() != nil {
			return nil
		}
		if h.sessions.Load() != before {
			backoff = groupRetryMin
		}
		if err == nil {
			continue // a rebalance ended the session: join again
		}
		if isFatal(err) {
			return fmt.Errorf("kafka: group %s: %w", g.id, err)
		}
		g.log.Warn("kafka consumer group: consume failed, retrying", zap.Error(err), zap.Duration("backoff", backoff))
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, groupRetryMax)
	}
}

// isFatal reports errors that retrying will not fix: the configuration or
// the credentials' ACLs are wrong, and the pod should fail loudly. A missing
// topic is not fatal (on NAIS the Topic resource may be applied after the
// app), nor is an assignor mismatch (it resolves when the old members of a
// rolling deploy are gone).
func isFatal(err error) bool {
	var ce sarama.ConfigurationError
	if errors.As(err, &ce) {
		return true
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return true // wrong CA or broker name: only a redeploy fixes it
	}
	for _, k := range []sarama.KError{
		sarama.ErrTopicAuthorizationFailed,
		sarama.ErrGroupAuthorizationFailed,
		sarama.ErrClusterAuthorizationFailed,
		sarama.ErrSASLAuthenticationFailed,
		sarama.ErrInvalidGroupId,
	} {
		if errors.Is(err, k) {
			return true
		}
	}
	return errors.Is(err, sarama.ErrClosedConsumerGroup)
}

// Assignment returns the partitions this member holds in its current
// session, by topic, or nil between sessions (while joining or rebalancing,
// and before Run or after it returned). The map is a copy.
func (g *Group) Assignment() map[string][]int32 {
	p := g.assignment.Load()
	if p == nil {
		return nil
	}
	out := make(map[string][]int32, len(*p))
	for t, ps := range *p {
		out[t] = slices.Clone(ps)
	}
	return out
}

// HasAssignment reports whether this member currently holds at least one
// partition. A member can be healthy and hold none: a group with more members
// than partitions leaves some idle.
func (g *Group) HasAssignment() bool {
	p := g.assignment.Load()
	if p == nil {
		return false
	}
	for _, ps := range *p {
		if len(ps) > 0 {
			return true
		}
	}
	return false
}

// trackingHandler wraps the user's handler to record the assignment and log
// the session lifecycle.
type trackingHandler struct {
	g        *Group
	sessions atomic.Int64
}

func (h *trackingHandler) Setup(sess sarama.ConsumerGroupSession) error {
	h.sessions.Add(1)
	claims := maps.Clone(sess.Claims())
	h.g.assignment.Store(&claims)
	h.g.log.Info("kafka consumer group session started",
		zap.String("member_id", sess.MemberID()),
		zap.Int32("generation", sess.GenerationID()),
		zap.Any("claims", claims))
	return h.g.handler.Setup(sess)
}

func (h *trackingHandler) Cleanup(sess sarama.ConsumerGroupSession) error {
	h.g.assignment.Store(nil)
	h.g.log.Info("kafka consumer group session ended",
		zap.String("member_id", sess.MemberID()),
		zap.Int32("generation", sess.GenerationID()))
	return h.g.handler.Cleanup(sess)
}

func (h *trackingHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	return h.g.handler.ConsumeClaim(sess, claim)
}
