"""Binaries: thousands of mutants of real fixtures, and signatures that cannot be checked."""
import os
import shutil
import struct

SEEDS = [
    "hello.exe", "signed-sha256.exe", "timestamped.exe", "exports.dll", "overlay.exe",
    "padded.exe", "elf/app", "elf/libvers.so", "elf/libsmall-ppc64.so", "elf/app.debug",
    "macho/hello-arm64", "macho/hello-universal", "macho/libfix-x86_64.dylib",
    "msi/signed.msi", "msi/storage.msi",
]
BATCH = 50


def mutate(rng, data):
    """One mutant: flipped bytes, a smashed 16/32-bit field (lengths, offsets, counts), a cut,
    or a block copied over another, which is what breaks parsers most often."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        how = rng.randrange(5)
        at = rng.randrange(len(data))
        if how == 0:
            data[at] ^= 1 << rng.randrange(8)
        elif how == 1 and at + 4 <= len(data):
            value = rng.choice([0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF,
                                len(data), len(data) + 1, rng.getrandbits(32)])
            data[at:at + 4] = struct.pack("<I", value & 0xFFFFFFFF)
        elif how == 2 and at + 2 <= len(data):
            data[at:at + 2] = struct.pack("<H", rng.choice([0, 0xFFFF, rng.getrandbits(16)]))
        elif how == 3:
            del data[max(at, 1):]
        else:
            n = rng.randint(1, 256)
            src = rng.randrange(len(data))
            data[at:at + n] = data[src:src + n]
        if not data:
            data = bytearray(b"\0")
    return bytes(data)


def mutated(trial):
    """`cascade inspect --json` over mutants, BATCH files a run; a batch that crashes or hangs is
    re-run file by file so the table names the mutant. Nothing can be missed here: the class
    counts crashes and hangs only."""
    results = []
    for seed in SEEDS:
        path = trial.fixture(seed)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            original = f.read()
        folder = trial.path("mutants", seed.replace("/", "_"))
        os.makedirs(folder, exist_ok=True)
        names = []
        for i in range(trial.mutations):
            name = os.path.join(folder, f"{i:04d}")
            with open(name, "wb") as f:
                f.write(mutate(trial.rng, original))
            names.append(name)
        results.extend(batched(trial, names, "inspect", "--json", "--fail-on", "none"))
    return results


def batched(trial, names, *command):
    """Runs `command` over BATCH files at a time; a batch that crashes or hangs is re-run file
    by file so that the table names the mutant. One result per file."""
    results = []
    for start in range(0, len(names), BATCH):
        chunk = names[start:start + BATCH]
        outcome = trial.cascade_run(*command, *chunk)
        if not (outcome.crashed or outcome.hung):
            results.extend((os.path.relpath(n, trial.work), outcome, False) for n in chunk)
            continue
        for n in chunk:
            results.append((os.path.relpath(n, trial.work), trial.cascade_run(*command, n), False))
    return results


def macho_code_directory(data):
    """Offset of the first CodeDirectory of a thin 64-bit Mach-O, or None."""
    magic, _, _, _, ncmds, _ = struct.unpack_from("<IiiIII", data, 0)
    if magic != 0xFEEDFACF:
        return None
    at = 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, at)
        if cmd == 0x1D:  # LC_CODE_SIGNATURE
            offset, _ = struct.unpack_from("<II", data, at + 8)
            count = struct.unpack_from(">I", data, offset + 8)[0]
            for i in range(count):
                _, blob = struct.unpack_from(">II", data, offset + 12 + 8 * i)
                if struct.unpack_from(">I", data, offset + blob)[0] == 0xFADE0C02:
                    return offset + blob
        at += size
    return None


def fat_variants(data):
    """Damaged fat headers around real slices: each must still be reported and its slices read."""
    count = struct.unpack_from(">I", data, 4)[0]
    last = 8 + 20 * (count - 1)
    past_end = bytearray(data)
    struct.pack_into(">I", past_end, last + 12, len(data) - struct.unpack_from(">I", data, last + 8)[0] + 1)
    huge = bytearray(data)
    struct.pack_into(">I", huge, 4, 0xFFFFFFFF)
    self_pointing = bytearray(data)
    struct.pack_into(">I", self_pointing, 8 + 8, 0)
    return {"fat-slice-past-end": bytes(past_end), "fat-nfat-ffffffff": bytes(huge),
            "fat-slice-at-itself": bytes(self_pointing)}


def signatures(trial):
    """Signatures cascade cannot check must never read as good: each case must exit 1 (a
    finding at `high`) under the default --fail-on high, or at least report the damage."""
    results = []
    tampered = trial.fixture("macho", "hello-arm64-tampered")
    if os.path.isfile(tampered):
        with open(tampered, "rb") as f:
            data = bytearray(f.read())
        cd = macho_code_directory(data)
        if cd is not None:
            for name, field, value in (("macho-hash-type-99", 37, 99), ("macho-page-size-0", 39, 0)):
                case = bytearray(data)
                case[cd + field] = value
                path = trial.path("signatures", name)
                with open(path, "wb") as f:
                    f.write(case)
                outcome = trial.cascade_run("inspect", path)
                text = outcome.stdout.decode("utf-8", "replace")
                results.append((name, outcome, outcome.rc != 1 or "pages ok" in text))
    universal = trial.fixture("macho", "hello-universal")
    if os.path.isfile(universal):
        with open(universal, "rb") as f:
            data = f.read()
        for name, case in fat_variants(data).items():
            path = trial.path("signatures", name)
            with open(path, "wb") as f:
                f.write(case)
            outcome = trial.cascade_run("inspect", "--json", "--fail-on", "none", path)
            doc = outcome.json() or {}
            report = (doc.get("files") or [{}])[0]
            seen = bool(report.get("findings")) and report.get("format") != "unknown"
            results.append((name, outcome, not seen))
    padded, unpadded = trial.fixture("padded.exe"), trial.fixture("signed-sha256.exe")
    if os.path.isfile(padded):
        outcome = trial.cascade_run("rebuild-compare", unpadded, padded)
        results.append(("rebuild-compare-cert-padding", outcome, outcome.rc != 1))
        copy = trial.path("signatures", "unpadded-copy.exe")
        shutil.copyfile(unpadded, copy)
        outcome = trial.cascade_run("rebuild-compare", unpadded, copy)
        # The control: a build compared with itself is identical (exit 0), so the check can fail.
        results.append(("rebuild-compare-identical-control", outcome, outcome.rc != 0))
    return results
