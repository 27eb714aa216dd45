package query

import (
	"github.com/tidwall/gjson"
)

// bsonType is a BSON type code as $type names it.
type bsonType uint8

const (
	typeDouble  bsonType = 1
	typeString  bsonType = 2
	typeObject  bsonType = 3
	typeArray   bsonType = 4
	typeBool    bsonType = 8
	typeNull    bsonType = 10
	typeInt     bsonType = 16
	typeLong    bsonType = 18
	typeDecimal bsonType = 19
)

// typeSet is a set of BSON types, one bit per code.
type typeSet uint32

func (s typeSet) has(t bsonType) bool { return s&(1<<t) != 0 }

func setOf(ts ...bsonType) typeSet {
	var s typeSet
	for _, t := range ts {
		s |= 1 << t
	}
	return s
}

// typeByName resolves the $type names JSON values can have. "decimal" is
// accepted but no JSON value is one; "number" is every numeric type.
func typeByName(name string) (typeSet, bool) {
	switch name {
	case "double":
		return setOf(typeDouble), true
	case "string":
		return setOf(typeString), true
	case "object":
		return setOf(typeObject), true
	case "array":
		return setOf(typeArray), true
	case "bool":
		return setOf(typeBool), true
	case "null":
		return setOf(typeNull), true
	case "int":
		return setOf(typeInt), true
	case "long":
		return setOf(typeLong), true
	case "decimal":
		return setOf(typeDecimal), true
	case "number":
		return setOf(typeDouble, typeInt, typeLong, typeDecimal), true
	}
	return 0, false
}

// typeByCode resolves a numeric $type code.
func typeByCode(code int64) (typeSet, bool) {
	switch t := bsonType(code); {
	case code < 0 || code > int64(typeDecimal):
		return 0, false
	case t == typeDouble, t == typeString, t == typeObject, t == typeArray,
		t == typeBool, t == typeNull, t == typeInt, t == typeLong, t == typeDecimal:
		return setOf(t), true
	}
	return 0, false
}

// typeOf returns the BSON type a JSON value has.
func typeOf(v gjson.Result) bsonType {
	switch kindOf(v) {
	case kindNull:
		return typeNull
	case kindBool:
		return typeBool
	case kindNumber:
		return numberType(v.Raw)
	case kindString:
		return typeString
	case kindArray:
		return typeArray
	case kindObject:
		return typeObject
	}
	return 0 // missing: in no set
}
