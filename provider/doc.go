// Package provider reads resources lists: a JSON array of objects, each a
// resource with a unique "id", from a file, a Go slice or an HTTP URL.
//
// # Contract
//
// A [Source] gives the current list through Resources(ctx). Every list is
// validated before use ([Validate]); a list that fails validation gives a
// [*ValidationError] (matching [ErrInvalid]) that names the source and, for
// each problem, the array index, the line:column and the id involved, and
// no resources at all. A list that cannot be read (a missing file, an HTTP
// failure) gives an error wrapping [ErrUnavailable]. An empty list is valid.
//
// When nothing changed since the previous call, Resources returns the very
// same slice as before, so callers can reuse work by comparing slices; the
// slice is shared and must be treated as read-only. The sources are safe
// for concurrent use and honour ctx. Each source of this package also has
// ResourcesText, which gives the text the list was read from along with
// it, for a server that passes the list on as it is (lockable serve).
//
// Ids become lock file names (<lock folder>/<id>.pid), so an id must be a
// safe file name: ids that are empty, "." or "..", that contain '/', '\',
// NUL or another control character, that are not valid UTF-8 or are
// longer than 200 bytes are refused, never encoded or used raw. A number id
// keeps its JSON text: 7 is "7", 1.5 is "1.5", and an id 7 and an id "7"
// are duplicates.
//
// The sources:
//   - [File] reads a file again only when it changed, and never takes a
//     half-written file for the list.
//   - [List] takes a Go slice of maps, fixed at construction.
//   - [HTTP] GETs a URL with conditional requests, retries with backoff,
//     timeouts and a body size bound; see the With* options.
//   - [Open] picks HTTP for http:// and https:// and a file otherwise.
//
// # Example
//
//	src := provider.Open("resources.json")
//	resources, err := src.Resources(ctx)
//	if errors.Is(err, provider.ErrInvalid) {
//		// fix the list: err names the file and each problem's line:column
//	}
//	for _, r := range resources {
//		fmt.Println(r.ID(), r.Get("network.ip").String())
//	}
package provider
