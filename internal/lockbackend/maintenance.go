package lockbackend

import (
	"context"
	"time"
)

// Maintainer is a Backend that keeps maintenance records beside its
// locks: a resource with a record is out of service for everyone who
// uses the backend, until the record is deleted or ends. Records are
// opaque here: core writes and reads them (one JSON object each) and
// decides when one has ended, so a reader treats an ended record as
// absent whether or not the backend has dropped it yet.
//
// A record's change, by this process or by another one while someone
// watches (Watch), closes the Changed channel as a release does.
type Maintainer interface {
	// Records returns the record of each id, nil where it has none.
	Records(ctx context.Context, ids []string) ([][]byte, error)
	// PutRecord stores id's record in one step, replacing any: a reader
	// sees the old record or the new one, never a part. When ttl > 0 the
	// backend may drop the record once ttl has passed.
	PutRecord(ctx context.Context, id string, record []byte, ttl time.Duration) error
	// DeleteRecord removes id's record; false when it had none.
	DeleteRecord(ctx context.Context, id string) (bool, error)
}
