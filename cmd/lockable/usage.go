package main

import "fmt"

// usage is lockable --help.
const usage = `Usage:
  lockable [flags] [--] command [args...]
  lockable status [--requirements REQS] [--json] [--explain]
  lockable maintain [ID --note TEXT [--for DURATION] | --end ID]
  lockable validate [--resources FILE|URL]
  lockable serve [--listen ADDR]
  lockable version
  lockable completion bash|zsh|fish

lockable holds a lab resource that fits the requirements, runs the command
with the resource's fields in its environment, and releases the resource
when the command ends, however it ends. It exits with the command's status.

The command's words are joined with spaces and run by /bin/sh -c, as the
Python lockable does: quote '$ID' so that the command's shell expands it.
With --no-shell they are run as they are, and nothing expands $ID.
Flags end at the first word that is not a flag, or at --; a flag of
lockable's after the command is the command's (lockable warns).

Flags:
  --resources FILE|URL   resources list, a JSON file or an http(s) URL
                         (default ./resources.json, or $LOCKABLE_RESOURCES)
  --requirements REQS    what the resource must be: {"os": "android"} or
                         os=android&online=true; repeat to hold several
                         resources at once, all or nothing
                         (added to every one: $LOCKABLE_REQUIREMENTS)
  --count N              hold N resources that fit (default 1, at most 1000)
  --priority N           your place among the waiters: a free resource goes
                         to the waiter of the highest priority that fits
                         it, then to the one that came first (default 0, or
                         $LOCKABLE_PRIORITY; -1000000 to 1000000)
  --timeout SECONDS      how long to wait for a free resource, loading the
                         list included: seconds (30, 0.5) or a duration
                         (90s, 5m); 0 tries once (default 1, or
                         $LOCKABLE_TIMEOUT)
  --hostname NAME        the host whose resources fit by default
                         (default this host's name, or $LOCKABLE_HOSTNAME)
  --lock-folder DIR      where the lock files are (default
                         $LOCKABLE_LOCK_FOLDER, or a folder of your own,
                         <temp>/lockable-<uid>): jobs share locks only in
                         one folder; one host only
  --backend URL          keep the locks in etcd, for a lab that many hosts
                         share: etcd://host1:2379,host2:2379/prefix?ttl=10s
                         (ttl: how long a lock outlives a holder that stops
                         renewing it; default the lock folder, or
                         $LOCKABLE_BACKEND)
  --max-hold DURATION    stop the command once it has held the resources
                         this long: SIGTERM, then SIGKILL after --kill-after
  --kill-after DURATION  grace between SIGTERM and SIGKILL (default 10s)
  --health-check CMD     run CMD (by /bin/sh -c, with the resource's
                         variables) once the resource is locked, before the
                         command; a resource whose check fails is put in
                         maintenance, and another one is taken
                         ($LOCKABLE_HEALTH_CHECK)
  --health-check-timeout DURATION
                         stop a health check after this long: it failed
                         (default 1m, $LOCKABLE_HEALTH_CHECK_TIMEOUT)
  --health-check-from-list
                         run a resource's own "health_check" field instead:
                         a command from the resources list, so only for a
                         list you trust ($LOCKABLE_HEALTH_CHECK_FROM_LIST=1)
  --cleanup CMD          run CMD after the command, before the release; if
                         it fails, the resource is put in maintenance
                         ($LOCKABLE_CLEANUP)
  --cleanup-timeout DURATION
                         stop the cleanup after this long: it failed
                         (default 1m, $LOCKABLE_CLEANUP_TIMEOUT)
  --no-shell             run the words as they are, without /bin/sh -c
  --explain              when nothing fits, or with status: why each
                         resource does or does not fit
  -q, --quiet            do not say what lockable waits for
  --validate-only        check the resources list, run nothing
  --listen ADDR          lockable serve: where the page and its API answer
                         (default 127.0.0.1:7878, this host only; :7878 is
                         every interface of the host)
  --py-compat            behave as the Python lockable where lockable
                         differs: the lock folder defaults to the current
                         directory, values are Python's (True, ['a', 'b']),
                         names only upper-cased, and lockable's flags after
                         the command are lockable's ($LOCKABLE_PY_COMPAT=1)
  --version              print the version
  -h, --help             print this help

Maintenance (for everyone who shares the lock folder or the backend):
  lockable maintain ID --note TEXT [--for DURATION]
                         take ID out of service: nobody gets it until
                         --end, or until DURATION has passed; a holder
                         keeps it until it releases it
  lockable maintain --end ID
                         put ID back in service
  lockable maintain      list the resources in maintenance

Environment of the command (a string as it is, anything else as JSON),
and of the health check and the cleanup:
  ID, HOSTNAME, OS, ...  the resource's top-level fields, upper-cased,
                         other characters than A-Z, 0-9 and _ made _
  LOCKABLE_RESOURCE      the whole resource as JSON
  LOCKABLE_RESOURCE_ID   the resource's id
  LOCKABLE_ALLOCATION_ID this allocation's id
  LOCKABLE_FENCING_TOKEN grows with every lock of the resource, across
                         hosts: pass it on so that the resource can refuse
                         a stale holder (on etcd; 0 on the lock folder)
  NAME_0, NAME_1, ...    each resource's, with several (or --count)

Exit status:
  the command's, or 128+N if signal N ended it
  2    bad usage: flags, arguments, LOCKABLE_* variables, requirements
  122  a lock was lost while the command ran (its lease expired: another
       holder may have the resource); stopped the command
  123  the command held the resources longer than --max-hold; stopped
  124  timed out waiting for a free resource
  125  other failure: invalid or unreadable resources list, nothing
       fits (or all that fit are in maintenance, or failed their health
       check), lock folder problem, unknown or unreachable --backend
  126  the command cannot be run
  127  the command was not found

Examples:
  # the Python lockable's form, unchanged
  lockable --requirements '{"online":true}' echo using resource: '$ID'

  # an Android phone with 8 GB or more, waiting up to 5 minutes
  lockable --timeout 5m \
      --requirements '{"os": "android", "ram_gb": {"$gte": 8}}' \
      -- ./flash.sh '$SERIAL'

  # two boards at once, arguments passed without a shell
  lockable --count 2 --requirements type=board --no-shell -- go test ./hil/...

  # who holds what, and why a resource does not fit
  lockable status
  lockable status --requirements os=android --explain
  lockable status --json | jq '.resources[] | select(.state == "held")'

  # a lab that many hosts share, its locks in etcd: a phone on any host
  lockable --backend etcd://etcd-1:2379,etcd-2:2379,etcd-3:2379/lab \
      --requirements '{"os": "android", "hostname": null}' \
      -- ./flash.sh '$SERIAL' '$LOCKABLE_FENCING_TOKEN'

  # a phone out of service for an hour; a check before each run
  lockable maintain pixel-7-01 --note 'flashing firmware' --for 1h
  lockable --requirements os=android --health-check 'adb -s $SERIAL get-state' \
      --cleanup 'adb -s $SERIAL reboot' -- ./flash.sh '$SERIAL'

  # check a resources list
  lockable validate --resources lab.json

  # the lab on one page, live: http://127.0.0.1:7878/ (also /api/status,
  # /resources.json, /metrics, /healthz); read-only
  lockable serve --resources lab.json --lock-folder /var/lib/lockable
`

// help prints the usage on stdout.
func (c *cli) help() {
	fmt.Fprint(c.stdout, usage)
}
