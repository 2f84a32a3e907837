"""Containers: caps that could hide what follows them, and zips that read two ways.

Every case hides the known-bad marker file somewhere a careless scanner would not look. A case
is missed when cascade neither reports the marker (an `ioc.` finding on it) nor exits 1 with a
finding at `high` saying what it left unexamined.
"""
import io
import json
import os
import shutil
import struct
import zipfile
import zlib


def asar(entries, data, trailing=b""):
    """An Electron asar: entries maps name -> (offset, size) into `data`, then `trailing` bytes
    no entry names (the layout of tests/fixtures/scan/make-asar.py)."""
    tree = {"files": {name: {"size": size, "offset": str(offset)}
                      for name, (offset, size) in entries.items()}}
    header = json.dumps(tree, separators=(",", ":")).encode()
    padded = header + b"\0" * (-len(header) % 4)
    pickle = struct.pack("<II", 4 + len(padded), len(header)) + padded
    return struct.pack("<II", 4, len(pickle)) + pickle + data + trailing


def deflated_zip(members):
    """A small zip made by python's zipfile: members is a list of (name, bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()


def write_streamed_zip(path, members):
    """A zip written entry by entry, 1 MiB at a time, so that the harness never holds a bomb's
    expanded bytes (its own peak memory would otherwise show up in every child's peak RSS).
    members: list of (name, chunk, repeat) or (name, bytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member in members:
            with z.open(member[0], "w", force_zip64=True) as out:
                if len(member) == 2:
                    out.write(member[1])
                    continue
                for _ in range(member[2]):
                    out.write(member[1])


def write_many_empty_zip(path, count, last_name, last_data):
    """`count` empty stored entries, then one real entry, without a ZipInfo per entry."""
    directory = bytearray()
    with open(path, "wb") as f:
        offset = 0
        for i in range(count + 1):
            name, data = (f"e{i}".encode(), b"") if i < count else (last_name, last_data)
            directory += central_entry(name, data, offset)
            header = local_header(name, data)
            f.write(header)
            offset += len(header)
        f.write(directory)
        f.write(end_record(min(count + 1, 0xFFFF), len(directory), offset))


def local_header(name, data):
    crc = zlib.crc32(data)
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(data), len(data),
                       len(name), 0) + name + data


def central_entry(name, data, offset):
    crc = zlib.crc32(data)
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc, len(data),
                       len(data), len(name), 0, 0, 0, 0, 0, offset) + name


def end_record(count, size, offset):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, offset, 0)


def zip_directory_after(benign, marker):
    """The central directory lists media.dll at an offset after the directory itself:
    Info-ZIP unzip extracts it, a streaming reader stops at the directory."""
    a = local_header(b"readme.txt", benign)
    directory_at = len(a)
    directory_len = len(central_entry(b"readme.txt", benign, 0)) + len(
        central_entry(b"media.dll", marker, 0))
    marker_at = directory_at + directory_len
    directory = central_entry(b"readme.txt", benign, 0) + central_entry(b"media.dll", marker,
                                                                         marker_at)
    return a + directory + local_header(b"media.dll", marker) + end_record(2, len(directory),
                                                                           directory_at)


def zip_local_only(benign, marker):
    """media.dll has a local header in the stream and no central directory entry."""
    a = local_header(b"readme.txt", benign)
    b = local_header(b"media.dll", marker)
    directory = central_entry(b"readme.txt", benign, 0)
    return a + b + directory + end_record(1, len(directory), len(a) + len(b))


def nested(marker, levels):
    data, name = marker, "media.dll"
    for level in range(levels):
        data, name = deflated_zip([(name, data)]), f"level{level}.zip"
    return data


def scan_file(trial, name, *extra):
    outcome = trial.cascade_run("scan", "--json", "--ioc", trial.feed, *extra,
                                trial.path("containers", name))
    missed = not trial.marker_found(outcome) and outcome.rc != 1
    return (name, outcome, missed)


def scan_case(trial, name, data, *extra):
    with open(trial.path("containers", name), "wb") as f:
        f.write(data)
    return scan_file(trial, name, *extra)


MIB = 1 << 20


def caps(trial):
    m = trial.marker
    zeros = bytes(MIB)
    pattern = b"ABCDEFGH" * (MIB // 8)  # compresses as well as zeros, but is not inert
    write_streamed_zip(trial.path("containers", "zeros-20MB-then-bad.zip"),
                       [("zeros.bin", zeros, 20), ("media.dll", m)])
    write_streamed_zip(trial.path("containers", "pattern-64MB-then-bad.zip"),
                       [("pattern.bin", pattern, 64), ("media.dll", m)])
    write_many_empty_zip(trial.path("containers", "200k-empty-then-bad.zip"), 200_000,
                         b"media.dll", m)
    results = [scan_file(trial, "zeros-20MB-then-bad.zip"),
               scan_file(trial, "pattern-64MB-then-bad.zip"),
               scan_file(trial, "200k-empty-then-bad.zip"),
               scan_case(trial, "nested-9-deep.zip", nested(m, 9)),
               scan_case(trial, "nested-9-deep-max-depth-2.zip", nested(m, 9), "--max-depth",
                         "2")]
    # 100,000 asar entries all pointing at one 64 KiB file, then the marker under its own name.
    blob = bytes(trial.rng.randbytes(65536))
    entries = {f"f{i}": (0, len(blob)) for i in range(100_000)}
    entries["media.dll"] = (len(blob), len(m))
    results.append(scan_case(trial, "asar-100k-aliases.asar", asar(entries, blob + m)))
    # Eight bombs at once with eight threads: the peak must not grow with the thread count.
    folder = trial.folder("containers", "eight-bombs")
    first = os.path.join(folder, "bomb0.zip")
    write_streamed_zip(first, [("pattern.bin", pattern, 512), ("media.dll", m)])
    for i in range(1, 8):
        shutil.copyfile(first, os.path.join(folder, f"bomb{i}.zip"))
    outcome = trial.cascade_run("scan", "--json", "--ioc", trial.feed, "--threads", "8", folder)
    doc = outcome.json() or {"files": []}
    found = sum(1 for f in doc["files"] if f.get("sha256") == trial.marker_sha256 and
                any(x["id"].startswith("ioc.") for x in f.get("findings", [])))
    results.append(("eight-bombs-threads-8", outcome, found < 8 and outcome.rc != 1))
    return results


def views(trial):
    benign = b"an ordinary readme\n" * 20
    m = trial.marker
    results = [
        scan_case(trial, "directory-lists-entry-after-itself.zip", zip_directory_after(benign, m)),
        scan_case(trial, "local-entry-missing-from-directory.zip", zip_local_only(benign, m)),
        scan_case(trial, "asar-unreferenced-data.asar",
                  asar({"index.js": (0, len(benign))}, benign, trailing=m)),
    ]
    # The control: a genuine zip holding the marker, whose two views agree, is found (exit 1).
    results.append(scan_case(trial, "genuine-zip-control.zip",
                             deflated_zip([("readme.txt", benign), ("media.dll", m)])))
    return results


def mutated(trial):
    """Mutants of ordinary and hostile containers (zip both ways, asar, tar.gz, an MSI) through
    `cascade scan`: only crashes and hangs count here."""
    from hostile_cases.binaries import batched, mutate
    benign = b"an ordinary readme\n" * 20
    m = trial.marker
    seeds = {
        "zip": deflated_zip([("readme.txt", benign), ("lib/media.dll", m), ("empty", b"")]),
        "directory-after.zip": zip_directory_after(benign, m),
        "local-only.zip": zip_local_only(benign, m),
        "nested.zip": nested(m, 3),
        "app.asar": asar({"index.js": (0, len(benign)), "media.dll": (len(benign), len(m))},
                         benign + m),
    }
    msi = trial.fixture("msi", "signed.msi")
    if os.path.isfile(msi):
        with open(msi, "rb") as f:
            seeds["signed.msi"] = f.read()
    results = []
    for name, original in seeds.items():
        folder = trial.folder("container-mutants", name)
        names = []
        for i in range(trial.mutations):
            names.append(os.path.join(folder, f"{i:04d}"))
            with open(names[-1], "wb") as f:
                f.write(mutate(trial.rng, original))
        results.extend(batched(trial, names, "scan", "--json", "--fail-on", "none", "--threads",
                               "1"))
    return results
