"""Plays the Python lockable (the pid library) against a lock file.

    pylock.py hold PATH   lock PATH, write the pid, print "locked", wait for a
                          line on stdin, then release as the pid library does:
                          close (which unlocks), then remove the file.
    pylock.py probe PATH  try to lock PATH without waiting; print "acquired", or
                          "busy <first line of the file>".
    pylock.py stress DIR MARKERS ROUNDS
                          take phone-0 or phone-1 ROUNDS times, as the pid library
                          does (lock, and count a live pid in the file as busy),
                          own the resource's marker file exclusively while
                          holding it, then release (close, then remove).
"""
import fcntl
import os
import random
import sys
import time


def hold(path):
    fh = open(path, "a+")
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    fh.seek(0)
    fh.truncate()
    fh.write("%d\n" % os.getpid())
    fh.flush()
    print("locked", flush=True)
    sys.stdin.readline()
    fh.close()
    os.remove(path)
    print("released", flush=True)


def probe(path):
    fh = open(path, "a+")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        print("busy", fh.readline().strip(), flush=True)
        return
    print("acquired", flush=True)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def take(path):
    """Lock path as the pid library's PidFile does; None when busy."""
    fh = open(path, "a+")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None
    fh.seek(0)
    first = fh.read(16).split("\n", 1)[0].strip()
    if first:
        try:
            pid = int(first)
        except ValueError:
            fh.close()
            return None
        if pid != os.getpid() and alive(pid):
            fh.close()
            return None
    fh.seek(0)
    fh.truncate()
    fh.write("%d\n" % os.getpid())
    fh.flush()
    return fh


def stress(folder, markers, rounds):
    deadline = time.time() + 60
    for _ in range(int(rounds)):
        while True:
            if time.time() > deadline:
                print("stress: no resource within the wait", file=sys.stderr)
                sys.exit(1)
            rid = random.choice(["phone-0", "phone-1"])
            path = os.path.join(folder, rid + ".pid")
            fh = take(path)
            if fh is not None:
                break
            time.sleep(0.0002)
        marker = os.path.join(markers, rid)
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            print("VIOLATION: %s has two holders" % rid, file=sys.stderr)
            sys.exit(1)
        os.close(fd)
        time.sleep(random.uniform(0, 0.0003))
        os.remove(marker)
        fh.close()
        os.remove(path)


if __name__ == "__main__":
    {"hold": hold, "probe": probe, "stress": stress}[sys.argv[1]](*sys.argv[2:])
