package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// listName is the source name in a List's errors.
const listName = "list"

// ListSource is a resources list given in code. It never changes: every
// call returns the same slice, or the same error.
type ListSource struct {
	resources []Resource
	text      string
	err       error
}

// List returns a source for items, each item one resource. It encodes and
// validates items at once, so later changes to the maps are not seen; a
// problem (such as a value that cannot be encoded as JSON, or a missing id)
// is returned by every Resources call. Numbers keep their Go formatting
// as JSON: an id 7 becomes "7".
func List(items []map[string]any) *ListSource {
	text, err := encodeList(items)
	if err != nil {
		return &ListSource{err: err}
	}
	res, err := validate(listName, text, false)
	if err != nil {
		return &ListSource{err: err}
	}
	return &ListSource{resources: res, text: text}
}

// Resources returns the list; ctx is not used, as nothing blocks.
func (s *ListSource) Resources(context.Context) ([]Resource, error) {
	return s.resources, s.err
}

// ResourcesText is Resources, and also returns the list as JSON text: one
// array of the items as List encoded them. The text is empty when the
// list has an error.
func (s *ListSource) ResourcesText(context.Context) ([]Resource, string, error) {
	return s.resources, s.text, s.err
}

// encodeList writes items as one JSON array, without HTML escaping so that
// JSON() shows the values as given.
func encodeList(items []map[string]any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	verr := &ValidationError{Source: listName}
	buf.WriteByte('[')
	for i, item := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(item); err != nil {
			verr.add(Problem{Index: i, Message: fmt.Sprintf("cannot be encoded as JSON: %v", err)})
		}
	}
	buf.WriteByte(']')
	if len(verr.Problems) > 0 {
		return "", verr
	}
	return buf.String(), nil
}
