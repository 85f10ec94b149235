package pg

import (
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// SQLState returns the SQLSTATE code of the PostgreSQL error in err's chain,
// or "" when there is none (e.g. a network error).
func SQLState(err error) string {
	if e := pq.As(err); e != nil {
		return string(e.Code)
	}
	return ""
}

// IsRetryable reports whether err is a serialization failure (40001) or a
// deadlock (40P01): PostgreSQL rolled the transaction back and running it
// again from the start can succeed. Connection errors are deliberately not
// retryable: a COMMIT cut off mid-flight may have been applied.
func IsRetryable(err error) bool {
	return pq.As(err, pqerror.TRSerializationFailure, pqerror.TRDeadlockDetected) != nil
}

// IsUniqueViolation reports whether err is a unique constraint violation (23505).
func IsUniqueViolation(err error) bool {
	return pq.As(err, pqerror.UniqueViolation) != nil
}
