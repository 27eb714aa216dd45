// Command lockable runs a command while a suitable lab resource is held,
// and releases the resource however the command ends.
//
//	lockable [flags] [--] command [args...]
//	lockable status [--requirements REQS] [--json] [--explain]
//	lockable maintain [ID --note TEXT [--for DURATION] | --end ID]
//	lockable validate [--resources FILE|URL]
//	lockable serve [--listen ADDR]
//	lockable version
//	lockable completion bash|zsh|fish
//
// # Contract
//
// lockable loads the resources list, takes one free resource that fits the
// requirements (or one per requirement, all or nothing), waiting up to
// --timeout, runs the command with the resource's fields in its
// environment, releases the resource when the command ends, and exits with
// the command's status.
//
// What is held: the lock file <lock folder>/<id>.pid, locked with flock by
// the lockable process, as the core package describes. The command does
// not inherit the lock's file descriptor (Go opens files close-on-exec).
//
// Nothing the command starts outlives the lock. On Linux, lockable starts
// the command under a keeper: lockable itself again, a child subreaper
// that holds the lock files too (inherited). Every process the command
// starts stays its descendant, double-forked daemons included. When the
// command ends, the keeper stops what it left running (SIGTERM, then
// SIGKILL after --kill-after), and lockable says so, then releases. When
// lockable dies, SIGKILL included, the keeper learns it from a pipe that
// only lockable held, kills every descendant at once and ends; the kernel
// releases the lock files only then. lockable starts the keeper at once,
// holding and running nothing until it is given the command and the lock
// files (sent over a socket), so that neither a run nor a hand-over waits
// for a second process to start. Elsewhere on Unix, the
// command's process group is ended the same way when the command ends.
//
// With --backend etcd://... the lock is instead a key in etcd, on a lease
// that lockable renews while it runs (see "Many hosts" below): when
// lockable dies, the key goes when the lease expires, within its ttl.
//
// What releases it: the end of the command, whatever ended it (its exit, a
// signal, --max-hold, a lost lock), once what it left running has ended;
// or the end of lockable, once the keeper has killed the command's
// processes.
//
// # The Python-compatible form
//
// The Python lockable's command line works unchanged:
//
//	lockable [-h] [--validate-only] [--lock-folder DIR] [--resources FILE|URL]
//	         [--timeout SECONDS] [--hostname NAME] [--requirements REQS]
//	         command [args...]
//
// e.g. lockable --requirements '{"online":true}' echo using resource: '$ID'.
// Flags end at the first word that is not a flag, or at "--"; everything
// after belongs to the command, dashes included. --timeout takes seconds
// (30, 0.5) or a Go duration (90s, 5m); it defaults to 1 second, as in the
// Python tool. --resources defaults to ./resources.json. --requirements
// takes the JSON (MongoDB query) form or the short form key=value&...; the
// defaults hostname=this host and online=true are added unless it says
// otherwise about those fields.
//
// As in the Python tool (and consul lock), the command's words are joined
// with spaces and run by /bin/sh -c: the shell of the command splits,
// expands and redirects, so '$ID', quoted against the calling shell, is the
// resource's id; quoting inside the words is the inner shell's. With
// --no-shell the words are run as they are, as argv: no expansion, no
// splitting, spaces kept; to use a variable then, run a shell yourself
// (--no-shell -- sh -c 'flash $SERIAL').
//
// Where the Python tool was wrong, lockable is right: --validate-only needs
// no command (one given is ignored, so old scripts still work), and the
// environment is never printed. lockable prints nothing of its own on
// stdout while it runs a command; its messages go to stderr, prefixed
// "lockable: ".
//
// # The command's environment
//
// lockable's environment, plus, for the resource held:
//   - each top-level field of the resource, named upper-case, with every
//     character other than A-Z, 0-9 and _ made _ (and a leading digit
//     prefixed by _): "model-name" is MODEL_NAME, "2fa" is _2FA. A string
//     is its text; anything else is compact JSON (8, true, ["usb","5g"],
//     {"ip":"10.0.0.1"}). These override lockable's own variables of the
//     same names (HOSTNAME, and PATH for a field "path"), as in the Python
//     tool. Of two fields with the same name, the first counts; a value
//     with a NUL character is left out.
//   - LOCKABLE_RESOURCE, the whole resource as compact JSON;
//     LOCKABLE_RESOURCE_ID; LOCKABLE_ALLOCATION_ID; LOCKABLE_FENCING_TOKEN,
//     the lock's fencing token (0 on the lock folder, which has none).
//
// With several resources (--count N, or several --requirements), the
// variables above describe the first, and each resource's also come with
// an index: ID_0, ID_1, LOCKABLE_RESOURCE_ID_1, ... --count given, even
// --count 1, sets the indexed variables too, so that scripts need no
// special case.
//
// # Signals and process groups
//
// lockable catches SIGINT, SIGTERM, SIGHUP and SIGQUIT (those it was not
// started with ignored: under nohup, or as a script's background job, they
// stay ignored for lockable and the command) and passes them on. Where the
// command runs depends on who can send it signals:
//
//   - In the foreground of a terminal (lockable's process group is the
//     terminal's foreground group), the command stays in lockable's process
//     group: it can read the terminal, and the terminal's Ctrl-C, Ctrl-\
//     and Ctrl-Z reach it directly, as any job's processes. lockable gets
//     that Ctrl-C too and does not send it again (a command would see two);
//     SIGTERM and SIGHUP, which a terminal does not send to the group, it
//     forwards to the command.
//   - Otherwise (a CI runner, a background job, no terminal), the command
//     leads a process group of its own, and lockable sends every signal it
//     gets to that whole group: a shell and everything it started.
//
// lockable then waits for the command, releases, and exits with its status
// (128+N when signal N ended it). A signal that arrives while lockable
// waits for a resource ends the wait: nothing is held, nothing runs, and
// lockable exits 128+N.
//
// --max-hold DURATION stops a command that has held its resources that
// long: SIGTERM (to its process group when it has one), then SIGKILL after
// --kill-after (default 10s); lockable then releases and exits 123.
//
// A lock lost while the command runs (its lease expired: see "Many
// hosts") stops the command the same way, after one line on stderr that
// names the resource; lockable then releases what is left and exits 122.
//
// # Lab care
//
// --health-check CMD runs /bin/sh -c CMD with the resource's variables
// once it is locked and before the command, in a process group of its
// own, for at most --health-check-timeout (then SIGTERM to the group, and
// SIGKILL after --kill-after: it failed). A resource whose check fails is
// put in maintenance, with the check's exit status and last lines of
// output as the note, and released; lockable goes on with the next one
// that fits, and when none is left exits 125 naming each and why. A
// resource's own health_check field runs instead only with
// --health-check-from-list: it is a command from the resources list,
// which may come from a server. --cleanup CMD runs the same way after the
// command, while the resource is still held; a failure puts it in
// maintenance before the release, and lockable exits with the command's
// status all the same. Killed outright, lockable runs no cleanup (the
// keeper releases as always), and a check it was running dies with it (a
// watchdog kills the check's group) with nothing written: the resource is
// free. Each run is one line on stderr.
//
// # Waiting
//
// When every fitting resource is held, lockable says on stderr what it
// waits for (the requirements, defaults included), how long it has waited
// out of --timeout, and who holds the fitting resources (user@host, pid,
// the holder's command, up to three). On a terminal the line is rewritten
// in place every second; elsewhere a new line comes every 10 seconds. Once
// it has the resource it says so on one line. -q silences all of that, not
// the errors. --timeout 0 tries once and never waits.
//
// # Subcommands
//
// status, maintain, validate, serve, version and completion are subcommands only as the
// first word, with no "--" before it: lockable -- status runs a program
// called status. Flags of the run form may come before them
// (lockable --resources lab.json status).
//
//   - status lists every resource (or, with --requirements, those that fit,
//     defaults included) with its state: free, held (by user@host, pid,
//     owner, since when), offline, other-host; --json prints one JSON
//     object for scripts, {"version", "hostname", "requirements",
//     "resources": [{"id", "state", "holder", "fits", "mismatches",
//     "resource"}, ...]}, core.Status's form. --explain lists every
//     resource with how it measures up to the requirements.
//   - maintain ID --note TEXT [--for DURATION] takes a resource out of
//     service for everyone who shares the lock folder or the backend (a
//     record <id>.maintenance beside the lock files, or the etcd key
//     <prefix>/maintenance/<id>): nobody gets it until maintain --end ID,
//     or until DURATION has passed; a holder keeps it until it releases
//     it. An id not in the resources list is refused. maintain alone lists
//     what is in maintenance; status shows it too (state maintenance, a
//     MAINTENANCE column, "maintenance" in the JSON).
//   - validate checks the resources list as --validate-only does: every
//     problem on a line, "file:line:column: [index]: message", then exit
//     125; a valid list prints "NAME: valid, N resources".
//   - serve serves the lab on one page, live, with its API, the resources
//     list and metrics (package serve), on --listen (default
//     127.0.0.1:7878: this host only), until SIGINT or SIGTERM, then
//     shuts down gracefully and exits 0. It only reads: it takes nothing.
//     It says on stderr where it listens, and when the lab cannot be read
//     (and can again); a --listen that cannot be listened on exits 125.
//   - --explain on a run that finds nothing fitting (or times out) prints,
//     for each requirement, why each resource does or does not fit.
//
// # Exit codes
//
// As coreutils timeout and env: the command's status, or 128+N when
// signal N ended it; 2 bad usage (flags, arguments, LOCKABLE_* values,
// requirements that do not compile); 122 a lock was lost while the
// command ran (its lease expired, so another holder may have the
// resource) and lockable stopped it; 123 the command held the resources
// longer than --max-hold and lockable stopped it; 124 timed out waiting
// for a resource; 125 any other failure of lockable (invalid or unreadable
// resources list, nothing fits or all that fit are out of service, lock
// folder problems, a --backend that is
// unknown or does not answer); 126 the command
// cannot be run; 127 the command was not found. Each comes with one line on
// stderr, "lockable: " and the reason.
//
// 123 is distinct from 124 so that a script can tell "never got a device"
// (retry later) from "held it too long" (the job hung: look at it), and
// from 128+15, which would claim that the command died of a SIGTERM someone
// else sent. It sits next to lockable's other codes, below 126. 122, next
// to it, tells a third story: the command may have run on without the
// lock for a moment, and its results may not be its own.
//
// # Configuration
//
// Flags win over the environment, which wins over the defaults:
// LOCKABLE_RESOURCES (--resources), LOCKABLE_LOCK_FOLDER (--lock-folder,
// default a folder of the user's own, <temp>/lockable-<uid>: give every
// job that shares a lab one folder, the Python tool's too), LOCKABLE_BACKEND
// (--backend, default the lock folder), LOCKABLE_HOSTNAME
// (--hostname, default this host's name), LOCKABLE_TIMEOUT (--timeout),
// LOCKABLE_REQUIREMENTS, extra conditions added to every requirement, and
// lab care's LOCKABLE_HEALTH_CHECK, LOCKABLE_HEALTH_CHECK_TIMEOUT,
// LOCKABLE_HEALTH_CHECK_FROM_LIST, LOCKABLE_CLEANUP and
// LOCKABLE_CLEANUP_TIMEOUT.
// These are the variables lockabletest reads too.
//
// # Many hosts: etcd
//
// A lock folder serves one host. For a lab that many hosts share,
// --backend etcd://host1:2379,host2:2379,host3:2379/prefix?ttl=10s keeps
// the locks in etcd (the etcd package describes the URL), and everything
// else works as on the lock folder. Every lockable that shares the lab
// names the same prefix. Resources of other hosts fit only when the
// requirements say so ("hostname": null, or the host's name). --lock-folder
// with --backend is a usage error; LOCKABLE_LOCK_FOLDER is then ignored.
// An empty --backend= picks the lock folder over LOCKABLE_BACKEND.
//
// A lock there lives on a lease that lockable renews while it runs. If
// lockable cannot renew it for ttl (it was frozen, cut off from etcd, or
// etcd was down), the lease expires and another holder may take the
// resource: lockable tells so on stderr, stops the command (SIGTERM, then
// SIGKILL after --kill-after, as --max-hold does) and exits 122. A lock
// found lost only when lockable releases it is told, and exits 122, too.
//
// LOCKABLE_FENCING_TOKEN is the lock's etcd revision: larger for every
// later lock of the resource, cluster-wide. A resource (or the service in
// front of it) that refuses commands with a token smaller than the largest
// it has seen cannot be disturbed by a holder that lost its lock without
// knowing yet. status shows each holder's token and the lease time left
// (TOKEN and TTL, "fencing_token" and "ttl_seconds" in the JSON).
package main
