// Package lockable gives tests and CI jobs exclusive hold of lab resources
// (phones, boards, test servers) that match their requirements, and gives
// them back however the job ends.
//
// The work is split by concept:
//
//   - [github.com/go-lockable/lockable/query] compiles requirements (a
//     MongoDB-style query or the short key=value form) and matches them
//     against each resource's JSON.
//   - [github.com/go-lockable/lockable/provider] reads and validates a
//     resources list from a file, a Go slice or an HTTP URL.
//   - [github.com/go-lockable/lockable/core] allocates resources: one OS
//     file lock per resource, held for exactly as long as the holder holds
//     it, dropped by the kernel when the holder exits in any way.
//   - [github.com/go-lockable/lockable/lockabletest] brings resources into
//     go test: one line per test, released by t.Cleanup.
//   - cmd/lockable runs a command while a resource is held.
//
// This package holds no code; it documents the module.
package lockable
