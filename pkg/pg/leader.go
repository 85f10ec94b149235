package pg

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"
)

// DefaultLeaderInterval is how often a Leader polls for the lock, and how
// often the leader checks it still holds it.
const DefaultLeaderInterval = 5 * time.Second

// Leader elects one leader among all processes that use the same key on the
// same database, using a session advisory lock held on a connection of its
// own. See the package documentation for the guarantees.
type Leader struct {
	db       *sqlx.DB
	key      int64
	interval time.Duration
	log      *zap.Logger

	leading atomic.Bool
	changes chan bool
	started atomic.Bool
}

// LeaderOption configures a Leader.
type LeaderOption func(*Leader)

// WithLeaderLogger logs lock acquisition, loss and errors to l.
func WithLeaderLogger(l *zap.Logger) LeaderOption {
	return func(le *Leader) { le.log = l }
}

// WithLeaderInterval sets the poll and check interval (default 5s; each
// wait is jittered by ±20%). It also bounds how long one check may take, so
// it bounds the trust window described in the package documentation.
func WithLeaderInterval(d time.Duration) LeaderOption {
	return func(le *Leader) { le.interval = d }
}

// NewLeader returns a Leader for the advisory lock key on db. Pick one
// constant key per job that needs a single runner; it shares the 64-bit
// advisory lock space with everything else on the database. While leading,
// the Leader keeps one connection of db's pool to itself.
func NewLeader(db *sqlx.DB, key int64, opts ...LeaderOption) *Leader {
	l := &Leader{
		db:       db,
		key:      key,
		interval: DefaultLeaderInterval,
		log:      zap.NewNop(),
		changes:  make(chan bool, 1),
	}
	for _, o := range opts {
		o(l)
	}
	if l.interval <= 0 {
		l.interval = DefaultLeaderInterval
	}
	l.log = l.log.With(zap.Int64("leader_key", key))
	return l
}

// IsLeader reports whether this process currently holds the lock, as of the
// last check (see the trust window in the package documentation).
func (l *Leader) IsLeader() bool { return l.leading.Load() }

// Changes delivers the new value of IsLeader after each change. It keeps
// only the latest value for a slow reader, so a reader always ends up with
// the current state but may miss a short-lived one. It is meant for a single
// reader and is closed when Run returns.
func (l *Leader) Changes() <-chan bool { return l.changes }

// Run campaigns for leadership until ctx ends, then releases the lock if it
// holds it and returns nil. Database errors are logged and retried every
// interval; they never end Run. Run may be called once.
func (l *Leader) Run(ctx context.Context) error {
	if !l.started.CompareAndSwap(false, true) {
		return errors.New("pg: Leader.Run called twice")
	}
	defer close(l.changes)

	for {
		conn, err := l.tryLock(ctx)
		switch {
		case ctx.Err() != nil:
			if conn != nil {
				discard(conn)
			}
			return nil
		case err != nil:
			l.log.Warn("leader election: could not try the lock", zap.Error(err))
		case conn != nil:
			l.lead(ctx, conn)
			if ctx.Err() != nil {
				return nil
			}
			continue // lost it: try again at once, on a new connection
		}
		if !sleep(ctx, jitter(l.interval)) {
			return nil
		}
	}
}

// tryLock returns a connection holding the lock, or nil when another
// session holds it. A follower gives its connection back to the pool: it
// holds no lock, and idling on a pooled connection would starve the pool.
func (l *Leader) tryLock(ctx context.Context) (*sql.Conn, error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("get connection: %w", err)
	}
	var got bool
	err = l.bounded(ctx, conn, func(ctx context.Context) error {
		return conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, l.key).Scan(&got)
	})
	switch {
	case errors.Is(err, errAbandoned):
		return nil, fmt.Errorf("pg_try_advisory_lock: no answer within %s", l.interval)
	case err != nil:
		// The lock may have been granted before the error; closing the
		// session is the only way to be sure it is not held.
		discard(conn)
		return nil, fmt.Errorf("pg_try_advisory_lock: %w", err)
	case !got:
		_ = conn.Close()
		return nil, nil
	}
	return conn, nil
}

// lead holds leadership on conn until the lock is lost or ctx ends, and
// always leaves with IsLeader false and conn gone. Stepping down comes
// first, so IsLeader is never true while the lock is known to be free.
func (l *Leader) lead(ctx context.Context, conn *sql.Conn) {
	l.set(true)
	l.log.Info("leader election: became leader")

	t := time.NewTimer(jitter(l.interval))
	defer t.Stop()
	for {
		held, err := true, error(nil)
		select {
		case <-ctx.Done():
		case <-t.C:
			held, err = l.stillHeld(ctx, conn)
		}
		switch {
		case ctx.Err() != nil:
			l.set(false)
			if !errors.Is(err, errAbandoned) {
				l.release(conn)
			}
			l.log.Info("leader election: stepped down for shutdown")
			return
		case err != nil || !held:
			l.set(false)
			if !errors.Is(err, errAbandoned) {
				discard(conn)
			}
			l.log.Warn("leader election: lost leadership", zap.Bool("lock_held", held), zap.Error(err))
			return
		}
		t.Reset(jitter(l.interval))
	}
}

// stillHeld asks, on the leader's own connection, whether its backend holds
// the lock. A bigint advisory key shows in pg_locks split into classid (high
// 32 bits) and objid (low 32 bits), with objsubid 1. The query doubles as
// the liveness check of the connection.
func (l *Leader) stillHeld(ctx context.Context, conn *sql.Conn) (bool, error) {
	var held bool
	err := l.bounded(ctx, conn, func(ctx context.Context) error {
		return conn.QueryRowContext(ctx, `
			SELECT EXISTS (
				SELECT 1 FROM pg_locks
				WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
				  AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1)`,
			int64(uint64(l.key)>>32), int64(uint32(l.key))).Scan(&held)
	})
	if err != nil {
		return false, err // held may still be written by an abandoned query
	}
	return held, nil
}

// release unlocks explicitly so a follower can take over at once, then
// closes the connection in any case, which frees the lock even if the unlock
// did not get through.
func (l *Leader) release(conn *sql.Conn) {
	ctx := context.Background() // the caller's ctx is already done
	err := l.bounded(ctx, conn, func(ctx context.Context) error {
		_, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
		return err
	})
	if errors.Is(err, errAbandoned) {
		return
	}
	if err != nil {
		l.log.Warn("leader election: unlock failed; closing the connection frees the lock", zap.Error(err))
	}
	discard(conn)
}

// errAbandoned means a query on the leader connection did not return in
// time. The connection then belongs to the goroutine still running it.
var errAbandoned = errors.New("query abandoned")

// bounded runs query on conn and waits at most one interval or until ctx
// ends. lib/pq only sends a cancel request when its context ends; on a dead
// network that never gets an answer and the read blocks until TCP gives up,
// which could keep a stale leader leading for many minutes. So the wait is
// bounded here instead, and the stuck goroutine discards conn when its
// query finally returns.
func (l *Leader) bounded(ctx context.Context, conn *sql.Conn, query func(context.Context) error) error {
	qctx, cancel := context.WithTimeout(ctx, l.interval)
	done := make(chan error, 1)
	go func() {
		defer cancel()
		done <- query(qctx)
	}()
	select {
	case err := <-done:
		return err
	case <-qctx.Done():
		select {
		case err := <-done: // answered as the deadline passed
			return err
		default:
		}
		go func() {
			<-done
			discard(conn)
		}()
		return errAbandoned
	}
}

// set records the leadership state and publishes changes, keeping only the
// latest value in the channel. Only Run's goroutine sends, so after draining
// the send cannot block.
func (l *Leader) set(leading bool) {
	if l.leading.Swap(leading) == leading {
		return
	}
	select {
	case <-l.changes:
	default:
	}
	l.changes <- leading
}

// discard closes conn's underlying session instead of returning it to the
// pool. Returning it would keep a session advisory lock alive in the pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

// jitter spreads d by ±20% so replicas do not poll in lockstep.
func jitter(d time.Duration) time.Duration {
	return d*4/5 + rand.N(d*2/5+1)
}
