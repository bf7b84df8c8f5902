"""Follows a live scan in the workbook's layout with h5py, and prints one line per frame.

    python h5py_follower.py FILE.h5 TIMEOUT_S

Keys are followed with swmr_tools' KeyFollower when it is installed, else with the same
rule written out here (an index is ready once its key is non-zero, as a prefix). Each line
is "frame INDEX SUM", then "end finished" or "end timeout", and "follower swmr_tools" or
"follower h5py" says which followed.
"""

import sys
import time

import h5py
import numpy as np


def open_when_ready(path, patience=10.0):
    start = time.time()
    while True:
        try:
            return h5py.File(path, "r", libver="latest", swmr=True)
        except (OSError, FileNotFoundError):
            if time.time() - start > patience:
                raise
            time.sleep(0.01)


def ready_indices(keys, finished, timeout):
    """The swmr_tools rule, for machines without it."""
    ready, last_new = 0, time.time()
    last_look = False
    while True:
        keys.refresh()
        values = np.asarray(keys[...]).ravel()
        prefix = int(np.argmin(values != 0)) if (values == 0).any() else values.size
        while ready < prefix:
            yield ready
            ready += 1
            last_new = time.time()
        if last_look:
            return
        finished.refresh()
        if finished[0] != 0:
            last_look = True
        elif time.time() - last_new > timeout:
            return
        else:
            time.sleep(timeout / 20)


def main():
    path, timeout = sys.argv[1], float(sys.argv[2])
    with open_when_ready(path) as f:
        keys, data, finished = f["keys/key_1"], f["data/data"], f["keys/finished"]
        try:
            from swmr_tools import KeyFollower

            follower = KeyFollower([keys], timeout=timeout, finished_dataset=finished)
            print("follower swmr_tools")
        except ImportError:
            follower = ready_indices(keys, finished, timeout)
            print("follower h5py")
        scan_rank = len(keys.shape)
        while scan_rank > 1 and keys.shape[scan_rank - 1] == 1:
            scan_rank -= 1
        for index in follower:
            data.refresh()
            position = np.unravel_index(index, data.shape[:scan_rank])
            frame = np.asarray(data[position], dtype=np.uint64)
            print("frame", index, int(frame.sum()), flush=True)
        finished.refresh()
        print("end", "finished" if finished[0] != 0 else "timeout")


if __name__ == "__main__":
    main()
