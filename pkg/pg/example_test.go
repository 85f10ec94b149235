package pg_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"testing/fstest"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/pkg/pg"
)

// exampleDB connects to the test server's maintenance database.
func exampleDB() *sqlx.DB {
	db, err := sqlx.Connect("postgres", server.DSN())
	if err != nil {
		log.Fatal(err)
	}
	return db
}

// A service migrates at start, from migrations embedded in its binary; an
// fs.FS of any kind works.
func ExampleMigrate() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	migrations := fstest.MapFS{
		"migrations/000001_accounts.up.sql":   {Data: []byte(`CREATE TABLE example_accounts (id int PRIMARY KEY, balance int NOT NULL)`)},
		"migrations/000001_accounts.down.sql": {Data: []byte(`DROP TABLE example_accounts`)},
	}
	if err := pg.Migrate(ctx, db, migrations, "migrations"); err != nil {
		log.Fatal(err)
	}
	// A second replica starting at the same time finds nothing to do.
	if err := pg.Migrate(ctx, db, migrations, "migrations"); err != nil {
		log.Fatal(err)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM example_accounts`); err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows:", n)
	// Output: rows: 0
}

// InTx commits what fn did, or nothing: an error rolls everything back.
// Serialization failures and deadlocks are retried, so fn must only touch
// the database.
func ExampleInTx() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	db.MustExec(`CREATE TABLE example_ledger (account text PRIMARY KEY, balance int NOT NULL)`)
	defer db.MustExec(`DROP TABLE example_ledger`)
	db.MustExec(`INSERT INTO example_ledger VALUES ('a', 100), ('b', 0)`)

	transfer := func(amount int) error {
		return pg.InTx(ctx, db, &sql.TxOptions{Isolation: sql.LevelSerializable}, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE example_ledger SET balance = balance + $1 WHERE account = 'b'`, amount); err != nil {
				return err
			}
			var left int
			if err := tx.GetContext(ctx, &left, `UPDATE example_ledger SET balance = balance - $1 WHERE account = 'a' RETURNING balance`, amount); err != nil {
				return err
			}
			if left < 0 {
				return fmt.Errorf("balance of a would be %d", left)
			}
			return nil
		})
	}
	fmt.Println(transfer(30))
	fmt.Println(transfer(500))
	var a, b int
	_ = db.Get(&a, `SELECT balance FROM example_ledger WHERE account = 'a'`)
	_ = db.Get(&b, `SELECT balance FROM example_ledger WHERE account = 'b'`)
	fmt.Println(a, b)
	// Output:
	// <nil>
	// balance of a would be -430
	// 70 30
}

// Of all processes campaigning with one key on one database, one leads. A
// scheduled job runs only where IsLeader is true, and still claims its work
// safely, because two leaders may overlap for up to one interval.
func ExampleLeader() {
	db := exampleDB()
	defer db.Close()
	const jobKey = 424242

	a := pg.NewLeader(db, jobKey, pg.WithLeaderInterval(100*time.Millisecond))
	actx, stopA := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(actx) }()
	fmt.Println("a leads:", <-a.Changes())

	b := pg.NewLeader(db, jobKey, pg.WithLeaderInterval(100*time.Millisecond))
	bctx, stopB := context.WithCancel(context.Background())
	bDone := make(chan error, 1)
	go func() { bDone <- b.Run(bctx) }()

	stopA() // a steps down and releases the lock; b takes over
	fmt.Println("a stopped:", <-done)
	fmt.Println("b leads:", waitFor(b.Changes(), true))
	stopB()
	<-bDone
	// Output:
	// a leads: true
	// a stopped: <nil>
	// b leads: true
}

func waitFor(changes <-chan bool, want bool) bool {
	for v := range changes {
		if v == want {
			return v
		}
	}
	return !want
}
