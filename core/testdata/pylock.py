"""Plays the Python lockable (the pid library) against a lock file.

    pylock.py hold PATH   lock PATH, write the pid, print "locked", wait for a
                          line on stdin, then release as the pid library does:
                          close (which unlocks), then remove the file.
    pylock.py probe PATH  try to lock PATH without waiting; print "acquired", or
                          "busy <first line of the file>".
"""
import fcntl
import os
import sys


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


if __name__ == "__main__":
    {"hold": hold, "probe": probe}[sys.argv[1]](sys.argv[2])
