// Package query compiles requirements and matches them against resources.
//
// A [Query] is compiled requirements: a MongoDB find() filter evaluated
// over one resource's JSON. [Parse], [MustParse] and [New] compile once;
// every problem (unknown operator, wrong kind of argument, bad regular
// expression, malformed short form) is then an [*Error] naming where it is,
// never a silent non-match later. A compiled Query is immutable and safe
// for concurrent use, like a *regexp.Regexp; [Query.With] and [Query.And]
// return new queries. [Query.Match] works on the resource's raw JSON text:
// one scan validates it and hands each field the query names to its
// conditions (logical operators scan again), without decoding it into Go
// maps and, for the common conditions, without allocating; text that is
// not a valid JSON object never matches. A nil *Query is not valid anywhere. The empty query
// (Parse("") or "{}") matches every resource.
//
// # Requirements
//
// Requirements are written either as a JSON object in MongoDB query syntax
// (its key order is kept), or in the short form "os=android&online=true":
// parts joined by "&", each an equality on a field (a dotted key reaches
// into nested objects), the value a string except true and false in any
// case, which are booleans. A part without "=", with an empty key or value,
// or a key with a leading, trailing or double dot, is an error naming the
// part.
//
// Operators: $eq $ne $gt $gte $lt $lte $in $nin (comparison), $exists
// $type (element), $regex with $options, $mod (evaluation), $all $size
// $elemMatch (array), $and $or $nor $not (logical) and $comment. The
// semantics are MongoDB's, over JSON's types:
//
//   - A dotted path reaches into objects; a step over an array applies to
//     each element, and a numeric step also indexes the array.
//   - A condition holds when any value the path reaches satisfies it; a
//     value that is an array also satisfies it when one of its elements
//     does (implicit array matching). $ne, $nin and $not negate that as a
//     whole: {"a": {"$ne": 1}} fails on {"a": [1, 2]}.
//   - Comparisons stay within a type bracket: a number never equals or
//     orders against a string. 1 and 1.0 are equal.
//   - null matches a null or missing field; {"$exists": false} only a
//     missing one.
//   - $eq, $ne, $in, $nin and $all with an object value ask for exact
//     document equality, key order included, as MongoDB does.
//
// # The one deliberate difference from MongoDB
//
// An object given as a condition without operators, {"network": {"ip":
// "10.0.0.5"}}, is a partial match, as in the Python lockable: the field
// is an object (or, for an array, has an object element) in which each
// given field matches its condition, recursively with all the rules above;
// other fields may be present, in any order. {"a": {}} matches when a is an
// object. Inside such an object, keys may be dotted paths and values may be
// operator objects. Exact equality is still there through $eq.
//
// # Decisions where MongoDB's documentation is silent
//
//   - Field names are literal: only the dot separates steps; "*", "?", "#",
//     "@", "|", "!" and "\" are plain characters, never path syntax. A field
//     whose name contains a dot cannot be addressed. A numeric step indexes
//     an array when it is a decimal number without leading zeros ("01" is
//     only a field name).
//   - A step over an array looks into elements that are objects and, if
//     numeric, at that position; elements that are themselves arrays are not
//     searched by field name. A path that reaches nothing (no such field, a
//     scalar in the way, an array with no object elements or too few
//     elements) makes the field missing, so {"ids.0": null} and
//     {"ids.0": {"$exists": false}} both match "ids": [].
//   - A resource with a repeated key: the first occurrence counts.
//     Requirements with a repeated key in one object are an error.
//   - Numbers: a number written as an integer ("9007199254740993") is that
//     integer exactly, of any size; any other spelling is the float64 it
//     denotes. Comparisons are exact between them.
//   - $type: an integer that fits 32 bits is "int", one that fits 64 bits is
//     "long", any other number is "double"; "decimal" (19) is accepted and
//     matches nothing. Names and codes of BSON types JSON cannot hold (date,
//     objectId, ...) are errors. $type takes an array of names or codes too.
//   - Arrays and objects order as BSON does: element by element, a prefix
//     first; members by value type, then key, then value. Strings compare
//     by bytes (no collation).
//   - An object whose keys mix operators and field names is an error, and so
//     is an object of operators given as a value ({"$eq": {"$gt": 1}}):
//     both are almost surely mistakes.
//   - $exists takes true or false, or a number (0 is false).
//   - $mod truncates divisor, remainder and the field's number toward zero;
//     a zero divisor is an error; a number beyond int64 never matches.
//   - $size takes a whole number, 0 or more (2.0 is 2). It counts the array
//     the path reaches, never nested ones.
//   - $all with no members matches nothing. Its members may be values,
//     regexes ({"$regex": ...}), or all $elemMatch.
//   - $elemMatch takes the query form when its object has a field name, one
//     of $and, $or and $nor, or is empty; it then matches elements that are
//     objects. Otherwise each of its operators applies to the element itself
//     (no further implicit array matching).
//   - $not takes a non-empty object of operators (a regex is
//     {"$regex": ...}) and may nest. $comment, of any value, is accepted
//     and ignored at the top level of a query document (also inside $and,
//     $or, $nor and $elemMatch's query form); elsewhere it is an error.
//   - Regular expressions are Go's RE2. $options takes i, m, s and x; x is
//     emulated by dropping whitespace and #-comments outside character
//     classes. Patterns RE2 cannot compile (lookaround, backreferences) are
//     errors. $regex matches strings only. $in, $nin and $all take regexes
//     as {"$regex": ..., "$options": ...}.
//   - JSON nested more than 10000 levels deep is invalid, in requirements
//     and resources alike.
//   - The short form takes keys and values as written: no trimming, no
//     decoding; a value may contain "=" (only the first splits); numbers
//     stay strings ("ram_gb=8" matches "8", not 8). Keys starting with "$"
//     and repeated keys are errors.
//
// # Go values, defaults and messages
//
// [New] and [Query.With] take Go values, encoded as encoding/json does. A
// Go map has no key order, so exact document equality in such a condition
// ignores key order (same keys, equal values); comparisons of objects take
// the keys sorted.
//
// [Query.With] adds a default condition unless the query names that field
// at its top level; a null condition on the field removes it instead.
// That is how core adds the hostname and online defaults and how
// requirements drop them. [Query.And] joins two queries; [Query.String]
// gives canonical JSON (compact, key order kept, escapes normalized,
// numbers as written), [Query.Fields] every field path named, and
// [Query.Explain] the conditions a resource fails, for messages.
//
// # Example
//
//	q, err := query.Parse(`{"os": "android", "ram_gb": {"$gte": 8}}`)
//	if err != nil {
//		return err // an *query.Error: Path, Operator, Reason
//	}
//	q = q.With("hostname", host).With("online", true)
//	if q.Match(resourceJSON) {
//		// the resource fits
//	}
package query
