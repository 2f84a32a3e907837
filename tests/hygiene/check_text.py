#!/usr/bin/python3
"""Text output never lets an input write to the terminal; JSON keeps the strings exact.

Usage: check_text.py CASCADE SOURCE_DIR

Fixtures are built here with the toolchains (gcc, mingw-w64, clang-14 and ld64.lld-14) and
python's zipfile, each carrying strings an attacker controls: terminal escape sequences (clear
the screen, set the window title), a newline followed by a forged report line, a bidi override.
  - an ELF shared object whose soname holds them (gcc -Wl,-soname);
  - a PE whose version resource CompanyName holds them (windres, then the UTF-16 marker patched);
  - a Mach-O executable whose LC_LOAD_DYLIB name holds them (ld64.lld -install_name);
  - a zip whose entry names hold them, and a file whose own name holds them, both listed in an
    indicator feed so that scan's text summary names them.
The text of inspect, scan, diff and rebuild-compare must hold no control byte but the line
breaks cascade writes itself (no ESC, BEL, CR, C1, bidi override, invalid UTF-8), and no forged
line may stand on its own; the JSON must carry the original strings exactly.
"""
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

CASCADE = os.path.abspath(sys.argv[1])
SOURCE = os.path.abspath(sys.argv[2])
failures = []

# What an attacker puts in a name: clear screen, set window title (OSC ... BEL), then a newline
# and what looks like one more finding line, and a right-to-left override.
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\r\n  critical ioc.hash FORGED: listed\u202etxt.exe"
# Raw bytes that must never reach the terminal.
FORBIDDEN = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]")


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(args, expect=None):
    p = subprocess.run([CASCADE, *args], capture_output=True, timeout=300)
    if expect is not None:
        check(p.returncode in expect, f"cascade {args}: exit {p.returncode}: {p.stderr[:400]!r}")
    return p


def check_text(name, output, must_show=b"FORGED"):
    """`output` is bytes cascade wrote for a terminal."""
    bad = FORBIDDEN.search(output)
    check(bad is None, f"{name}: raw control bytes in the text output: "
          f"{output[max(0, bad.start() - 40):bad.end() + 40]!r}" if bad else "")
    try:
        output.decode("utf-8")
    except UnicodeDecodeError as e:
        check(False, f"{name}: the text output is not valid UTF-8: {e}")
    check(must_show in output, f"{name}: the hostile string is not shown at all")
    for line in output.split(b"\n"):
        check(not line.lstrip().startswith(b"critical ioc.hash FORGED"),
              f"{name}: a forged line stands on its own: {line!r}")
    check(b"\\x1B" in output, f"{name}: ESC is not shown as \\x1B")


def tool(*args, **kw):
    subprocess.run(args, check=True, capture_output=True, **kw)


with tempfile.TemporaryDirectory() as tmp:
    def path(*parts):
        return os.path.join(tmp, *parts)

    # --- ELF: a soname.
    with open(path("lib.c"), "w") as f:
        f.write("int cascade_fixture(void) { return 42; }\n")
    tool("gcc", "-shared", "-fPIC", "-o", path("libhostile.so"), path("lib.c"),
         "-Wl,-soname," + HOSTILE)
    p = run(["inspect", "--color", "never", path("libhostile.so")], expect={0})
    check_text("inspect ELF soname", p.stdout)
    p = run(["inspect", "--json", path("libhostile.so")], expect={0})
    doc = json.loads(p.stdout)
    check(doc["files"][0].get("soname") == HOSTILE,
          f"inspect --json: the soname is not kept exactly: {doc['files'][0].get('soname')!r}")

    # --- PE: a version string. windres writes the marker in UTF-16LE; it is replaced in place by
    # the hostile string padded to the same length.
    marker = "M" * 80
    with open(path("hello.c"), "w") as f:
        f.write("int main(void) { return 0; }\n")
    with open(path("v.rc"), "w") as f:
        f.write('#include <winver.h>\nVS_VERSION_INFO VERSIONINFO\nFILEVERSION 1,0,0,0\n'
                'BEGIN\n BLOCK "StringFileInfo"\n BEGIN\n  BLOCK "040904b0"\n  BEGIN\n'
                f'   VALUE "CompanyName", "{marker}"\n   VALUE "ProductName", "hygiene"\n'
                '  END\n END\nEND\n')
    tool("x86_64-w64-mingw32-windres", path("v.rc"), "-O", "coff", "-o", path("v.res"))
    tool("x86_64-w64-mingw32-gcc", "-o", path("hostile.exe"), path("hello.c"), path("v.res"))
    with open(path("hostile.exe"), "rb") as f:
        pe = f.read()
    company = HOSTILE.ljust(len(marker), "x")
    assert pe.count(marker.encode("utf-16-le")) == 1
    pe = pe.replace(marker.encode("utf-16-le"), company.encode("utf-16-le"))
    with open(path("hostile.exe"), "wb") as f:
        f.write(pe)
    p = run(["inspect", "--color", "always", path("hostile.exe")], expect={0, 1})
    # Colour codes are cascade's own: only the SGR sequences it writes may contain ESC.
    check_text("inspect PE version string", re.sub(rb"\x1b\[[0-9;]*m", b"", p.stdout))
    p = run(["inspect", "--json", path("hostile.exe")], expect={0, 1})
    strings = json.loads(p.stdout)["files"][0]["pe"]["version"]["strings"]
    check(strings.get("CompanyName") == company,
          f"inspect --json: the version string is not kept exactly: {strings.get('CompanyName')!r}")

    # --- Mach-O: a dylib load command's name.
    macho_src = os.path.join(SOURCE, "tests", "fixtures", "macho", "src")
    tool("clang-14", "-target", "x86_64-apple-macos11", "-O1", "-c",
         os.path.join(macho_src, "fix.c"), "-o", path("fix.o"))
    tool("clang-14", "-target", "x86_64-apple-macos11", "-O1", "-c",
         os.path.join(macho_src, "hello.c"), "-o", path("hello.o"))
    link = ["ld64.lld-14", "-arch", "x86_64", "-platform_version", "macos", "11.0", "11.0"]
    tool(*link, "-dylib", "-install_name", "@rpath/" + HOSTILE + ".dylib", "-o",
         path("libfix.dylib"), path("fix.o"), os.path.join(macho_src, "libSystem.tbd"))
    tool(*link, "-execute", path("hello.o"), os.path.join(macho_src, "libSystem.tbd"),
         path("libfix.dylib"), "-weak_library", os.path.join(macho_src, "libcascadeweak.tbd"),
         "-o", path("hello-macho"))
    p = run(["inspect", path("hello-macho")], expect={0, 1})
    check_text("inspect Mach-O dylib name", p.stdout)
    p = run(["inspect", "--json", path("hello-macho")], expect={0, 1})
    dylibs = [d["name"] for d in json.loads(p.stdout)["files"][0].get("dylibs", [])]
    check("@rpath/" + HOSTILE + ".dylib" in dylibs,
          f"inspect --json: the dylib name is not kept exactly: {dylibs!r}")

    # --- A zip whose entry names are hostile, and a file whose own name is, both known bad.
    os.mkdir(path("tree"))
    payload = b"known-bad marker " + os.urandom(16)
    with zipfile.ZipFile(path("tree", "release.zip"), "w") as z:
        z.writestr("dir/" + HOSTILE + ".dll", payload)
        z.writestr("\x1b]0;title\x07\nplain.txt", b"hello")
    with open(path("tree", "name" + HOSTILE).encode(), "wb") as f:
        f.write(payload)
    with open(path("feed.txt"), "w") as f:
        f.write(hashlib.sha256(payload).hexdigest() + "\n")
    p = run(["scan", "--ioc", path("feed.txt"), "--color", "always", path("tree")], expect={1})
    text = re.sub(rb"\x1b\[[0-9;]*m", b"", p.stdout)
    check_text("scan summary", text)
    check(text.count(b"ioc.hash") >= 2, f"scan: both known-bad files are not listed: {text!r}")
    p = run(["scan", "--jsonl", "--ioc", path("feed.txt"), path("tree")], expect={1})
    paths = {json.loads(line).get("path") for line in p.stdout.splitlines() if line.strip()}
    check(path("tree", "release.zip") + "!dir/" + HOSTILE + ".dll" in paths,
          f"scan --jsonl: the entry name is not kept exactly: {sorted(map(str, paths))!r}")

    # --- diff: a release whose new file has a hostile name and soname.
    os.mkdir(path("old"))
    os.mkdir(path("new"))
    shutil.copy(path("libhostile.so"), path("new", "lib" + HOSTILE + ".so"))
    p = run(["diff", "--details", "*", path("old"), path("new")], expect={0, 1})
    check_text("diff text", p.stdout)

    # --- rebuild-compare of two builds with hostile names.
    shutil.copy(path("libhostile.so"), path("a" + HOSTILE))
    p = run(["rebuild-compare", path("a" + HOSTILE), path("libhostile.so")], expect={0, 1})
    check_text("rebuild-compare text", p.stdout)

    # --- errors on stderr name the file the way text output does.
    p = run(["inspect", path("missing" + HOSTILE)], expect={2})
    check_text("inspect error (stderr)", p.stderr)

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok: no input reaches the terminal as a control; JSON is exact")
