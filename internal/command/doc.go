// Package command runs lab care's commands, the health checks that run
// before a resource is handed out and the cleanups that run after use,
// and builds the environment that describes held resources, which the
// command line's command gets too.
//
// A command is one line, run by /bin/sh -c with the resource's
// variables, in a process group of its own, and bounded in time: at its
// bound the whole group is stopped by its pid (SIGTERM, then SIGKILL after
// a grace), and it counts as failed. What it leaves running when it ends
// is killed. A watchdog process kills the group should this process die
// first, kill -9 included, so that no check outlives the lockable that
// started it (on Linux the shell also dies with its parent). The last
// lines of its output are kept for the maintenance note, with known
// credentials blanked.
package command
