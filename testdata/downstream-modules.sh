#!/usr/bin/env bash
# Counts the modules a downstream module that imports only lockabletest
# pulls in: go.sum entries (modules) and go list -m all, for the lockable
# checkout given as $1.
set -euo pipefail
repo=$(cd "$1" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"
cat > go.mod <<EOM
module example.com/downstream
go 1.26.0
require github.com/go-lockable/lockable v0.0.0
replace github.com/go-lockable/lockable => $repo
EOM
cat > x_test.go <<'EOM'
package x
import (
	"testing"
	"github.com/go-lockable/lockable/lockabletest"
)
func TestX(t *testing.T) { lockabletest.Require(t, `{"os":"android"}`) }
EOM
GOWORK=off GOFLAGS=-mod=mod go mod tidy >/dev/null
echo "go.sum modules: $(cut -d' ' -f1 go.sum | sort -u | wc -l)  go.sum lines: $(wc -l < go.sum)  go list -m all: $(GOWORK=off go list -m all | wc -l)"
