#!/usr/bin/python3
"""make-rules.py OUT.yar: 24 YARA rules of the kinds responders run on a release tree (strings
over API names and markers, hex patterns, and pe-module conditions), for bench/scan_vs_peers.sh."""
import sys

STRINGS = ["VirtualAllocEx", "WriteProcessMemory", "CreateRemoteThread", "InternetOpenUrlA",
           "WinHttpSendRequest", "CryptEncrypt", "IsDebuggerPresent", "RegSetValueExW",
           "URLDownloadToFileW", "ShellExecuteExW", "NtUnmapViewOfSection", "SetWindowsHookExA"]
HEX = ["{ 4D 5A 90 00 03 00 00 00 }", "{ E8 ?? ?? ?? ?? 48 8B }", "{ 68 74 74 70 73 3A 2F 2F }",
       "{ 43 41 53 43 41 44 45 2D 54 45 53 54 }"]
PE = ["pe.number_of_sections > 12",
      "pe.imports(\"wininet.dll\", \"InternetOpenA\")",
      "pe.exports(\"DllRegisterServer\") and pe.number_of_exports > 200",
      "pe.characteristics & pe.DLL and pe.timestamp == 0",
      "for any s in pe.sections : (s.name == \".rsrc\" and s.raw_data_size > 2000000)",
      "pe.number_of_signatures > 0 and pe.is_dll()",
      "pe.entry_point > filesize",
      "pe.imports(\"kernel32.dll\", \"LoadLibraryA\") and pe.imports(\"kernel32.dll\", \"GetProcAddress\")"]


def main():
    rules = ['import "pe"\n']
    for i, s in enumerate(STRINGS):
        rules.append(f'rule api_{i} {{\n  strings:\n    $a = "{s}" ascii wide\n'
                     f'  condition:\n    $a\n}}\n')
    for i, h in enumerate(HEX):
        rules.append(f"rule hex_{i} {{\n  strings:\n    $h = {h}\n  condition:\n    $h at 0 or #h > 3\n}}\n")
    for i, c in enumerate(PE):
        rules.append(f"rule pe_{i} {{\n  condition:\n    {c}\n}}\n")
    open(sys.argv[1], "w").write("\n".join(rules))


if __name__ == "__main__":
    main()
