// Package query compiles requirements and matches them against resources.
//
// Requirements are a MongoDB find() filter given as JSON
// (`{"os": "android", "ram_gb": {"$gte": 8}}`) or the short form
// `os=android&online=true`. A [Query] is compiled once, is immutable and
// safe for concurrent use, and matches raw resource JSON without decoding
// it into Go maps.
package query
