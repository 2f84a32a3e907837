#!/usr/bin/env python3
"""scripts/check-layers can fail: on small trees it passes includes that point down the layers,
and fails on one that runs back up."""
import pathlib
import subprocess
import sys
import tempfile

CHECK = pathlib.Path(sys.argv[1])

def run(files):
    with tempfile.TemporaryDirectory() as root:
        for relative, lines in files.items():
            path = pathlib.Path(root, "src", relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n")
        done = subprocess.run([sys.executable, str(CHECK), root], capture_output=True, text=True)
        return done.returncode, done.stderr


def expect(name, condition, detail):
    if not condition:
        print(f"FAIL {name}: {detail}")
        sys.exit(1)
    print(f"ok   {name}")


downward = {}
downward["inspect/inspect.h"] = ['#include "core/finding.h"', '#include "formats/pe/pe_image.h"',
                                 "#include <vector>", '#include "inspect/format_inspectors.h"']
downward["cli/main.cc"] = ['#include "report/text_report.h"', '#include "scan/scanner.h"']
code, err = run(downward)
expect("includes pointing down pass", code == 0, err)

upward = dict(downward)
upward["core/finding.h"] = ["#pragma once", "", '#include "report/severity_color.h"']
code, err = run(upward)
expect("an include running back up fails", code == 1, f"exit {code}")
expect("the failure names file, line and rule",
       "src/core/finding.h:3:" in err and "core/ may not include report/" in err, err)

sideways = dict(downward)
sideways["formats/pe/pe_authenticode.h"] = ['#include "formats/msi/msi.h"',
                                            '#include "authenticode/signature.h"']
sideways["formats/elf/elf.h"] = ['#include "inspect/inspect.h"']
code, err = run(sideways)
expect("formats/ may not include inspect/", code == 1 and "src/formats/elf/elf.h:1:" in err, err)
expect("only the back-up include is reported", err.count("may not include") == 1, err)

unknown = dict(downward)
unknown["plugins/loader.cc"] = ['#include "core/result.h"']
code, err = run(unknown)
expect("a folder outside the layer list fails", code == 1 and "src/plugins/loader.cc" in err, err)
