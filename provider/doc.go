// Package provider reads resources lists: a JSON array of objects, each a
// resource with a unique "id", from a file, a Go slice or an HTTP URL.
//
// Every list is validated before use; a list that fails validation yields
// an error that names the source and the position of the problem, and no
// resources.
package provider
