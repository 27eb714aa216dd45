// Command release releases lockable's four modules together, and
// rehearses a release the way an outside user meets it.
//
//	go run ./release rehearse [-version v0.9.0-rehearsal.1]
//	go run ./release prepare VERSION
//	go run ./release check VERSION
//	go run ./release tag VERSION
//
// The repository holds four modules: the library (github.com/go-lockable/
// lockable, at the root), the etcd backend (etcd/), which requires the
// library, the dashboard (serve/), which requires both (etcd for its
// tests), and the command line (cmd/lockable/), which requires the three. A release gives all four the
// same version: the tags vX.Y.Z, etcd/vX.Y.Z, serve/vX.Y.Z and
// cmd/lockable/vX.Y.Z on one commit, whose go.mod files require the
// siblings at vX.Y.Z, with no replace directive (go.work joins them while
// developing).
//
// rehearse publishes the work tree's committed files (git ls-files) as
// those four modules at a candidate version into a module proxy in a
// temporary directory (the file layout GOPROXY=file:// reads), then, in
// fresh modules outside the workspace, with a fresh module cache:
//   - go install github.com/go-lockable/lockable/cmd/lockable@<candidate>,
//     and checks that lockable version names the candidate and that the
//     command holds a resource;
//   - go get github.com/go-lockable/lockable/etcd@<candidate> alone, and
//     builds a program that links it;
//   - go get github.com/go-lockable/lockable/serve@<candidate> alone, and
//     runs a program that mounts the dashboard and reads its status;
//   - go test of a module whose test uses lockabletest.Require.
//
// Other modules come from the usual proxy. It changes nothing in the work
// tree.
//
// prepare rewrites etcd/go.mod, serve/go.mod and cmd/lockable/go.mod to
// require their siblings at VERSION, drops replace directives, and writes
// into their go.sum files the hashes those versions will have once
// tagged: each is the hash of the module's committed files, computed
// here. It also gives go.work a replace of each sibling at VERSION by its
// directory: the go command reads the go.mod of every required version,
// even of a workspace module (golang/go#54264), and an untagged version
// has none anywhere else. Commit the result, then check and tag it.
//
// check verifies that the work tree is ready for VERSION: clean, go.mod
// files requiring VERSION without replace, go.sum hashes matching the
// files, go.work replacing the siblings at VERSION, CHANGELOG.md naming
// VERSION, VERSION newer than every tag.
//
// tag runs check and tags the commit: the library first, then the etcd
// backend and the dashboard, then the command line, the order in which
// each can be fetched. It prints the push command; it pushes nothing.
package main
