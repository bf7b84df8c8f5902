"""A live scan written by h5py in SWMR mode, in the layout the Rust follower reads.

    python h5py_writer.py OUT.h5 LIBVER FRAMES INTERVAL_S [IN_PLACE_PAUSE_S [DATA KEY FINISHED]]

LIBVER is "latest" or "v110". Frame i holds the same values as the Rust detector's
(swmr_kit::frame_value), so the follower can check every frame it reads.

With IN_PLACE_PAUSE_S the file is created under its own name, as a detector does, and SWMR
mode starts that many seconds after it is set up: a follower that comes first must wait.
DATA, KEY and FINISHED are the datasets' paths (default data/data, keys/key_1,
keys/finished).

WORKBOOK_H5PY_COMPRESSION=gzip, lz4 or bitshuffle-lz4 compresses the frames, as detectors
do (lz4 and bitshuffle need the hdf5plugin package).
"""

import os
import sys
import time

import h5py
import numpy as np


def frame(index, shape=(10, 20)):
    pixels = np.arange(shape[0] * shape[1], dtype=np.uint64)
    values = (index * 7919 + pixels * 104729) % 4999 + 1
    return values.astype(np.uint32).reshape(shape)


def compression():
    """The dataset options for WORKBOOK_H5PY_COMPRESSION."""
    name = os.environ.get("WORKBOOK_H5PY_COMPRESSION", "")
    if not name:
        return {}
    if name == "gzip":
        return {"compression": "gzip", "compression_opts": 4}
    import hdf5plugin

    if name == "lz4":
        return dict(hdf5plugin.LZ4())
    if name == "bitshuffle-lz4":
        return dict(hdf5plugin.Bitshuffle(cname="lz4"))
    raise SystemExit(f"unknown WORKBOOK_H5PY_COMPRESSION {name!r}")


def main():
    out, libver, frames, interval = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    in_place = float(sys.argv[5]) if len(sys.argv) > 5 else None
    data_path, key_path, finished_path = (
        sys.argv[6:9] if len(sys.argv) > 8 else ("data/data", "keys/key_1", "keys/finished")
    )
    # Unless in place: created under another name, and renamed once in SWMR mode.
    creating = out if in_place is not None else out + ".creating"
    with h5py.File(creating, "w", libver=libver) as f:
        data = f.create_dataset(
            data_path,
            shape=(0, 10, 20),
            maxshape=(None, 10, 20),
            chunks=(1, 10, 20),
            dtype="u4",
            **compression(),
        )
        keys = f.create_dataset(
            key_path, shape=(0, 1, 1), maxshape=(None, 1, 1), chunks=(1, 1, 1), dtype="u4"
        )
        finished = f.create_dataset(finished_path, shape=(1,), dtype="u4")
        if in_place is not None:
            f.flush()
            time.sleep(in_place)
        f.swmr_mode = True
        if in_place is None:
            os.replace(creating, out)
        for index in range(frames):
            if index:
                time.sleep(interval)
            data.resize(index + 1, axis=0)
            data[index] = frame(index)
            data.flush()
            # The key only after its frame is in the file.
            keys.resize(index + 1, axis=0)
            keys[index] = index + 1
            keys.flush()
        finished[0] = 1
        finished.flush()


if __name__ == "__main__":
    main()
