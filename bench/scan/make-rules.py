#!/usr/bin/python3
"""make-rules.py OUT.yar [SET]: a YARA rule set of the kinds responders run on a release tree,
for bench/scan_vs_peers.sh and bench/scan_cache_vs_yara.sh. SET:
  bench  (default) 24 rules: strings over API names and markers, hex patterns, pe conditions;
  plain  4 rules of one plain ASCII string each, where libyara's work is least and cascade's own
         work (hashing, inspection, the feed) weighs most;
  heavy  the bench set plus 48 string rules (ascii wide, some nocase), 16 hex rules with jumps
         and wildcards, 12 pe-module rules (imphash, sections, resources) and 8 hash-module rules
         that hash headers, sections and whole files, as threat-intel rule packs do.
The output depends on SET only, so every run of a bench scans with the same rules."""
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

PLAIN = ["CASCADE-BENCH-MARKER", "This program cannot be run in DOS mode",
         "Microsoft Visual C++ Runtime", "-----BEGIN RSA PRIVATE KEY-----"]

# More names of the kind rule packs search for: loaders, injection, credential access, network.
MORE_STRINGS = [
    "LoadLibraryExW", "GetProcAddress", "VirtualProtect", "NtQueryInformationProcess",
    "RtlCreateUserThread", "QueueUserAPC", "SetThreadContext", "ResumeThread",
    "OpenProcessToken", "AdjustTokenPrivileges", "LookupPrivilegeValueW", "SeDebugPrivilege",
    "MiniDumpWriteDump", "lsass.exe", "sekurlsa", "CredEnumerateW", "CryptUnprotectData",
    "InternetReadFile", "HttpSendRequestW", "WSAStartup", "getaddrinfo", "DnsQuery_A",
    "CreateServiceW", "StartServiceCtrlDispatcherW", "RegCreateKeyExW", "Software\\Microsoft\\"
    "Windows\\CurrentVersion\\Run", "schtasks", "powershell", "cmd.exe /c", "rundll32",
    "regsvr32", "mshta", "certutil", "bitsadmin", "FindFirstFileW", "MoveFileExW",
    "DeleteFileW", "CreateToolhelp32Snapshot", "Process32NextW", "GetTickCount",
    "QueryPerformanceCounter", "OutputDebugStringA", "CheckRemoteDebuggerPresent",
    "NtSetInformationThread", "BCryptEncrypt", "CryptAcquireContextW", "CryptGenRandom",
    "vssadmin delete shadows"]
MORE_HEX = [
    "{ 55 8B EC 83 EC ?? 53 56 57 }", "{ 48 89 5C 24 ?? 57 48 83 EC ?? }",
    "{ 64 A1 30 00 00 00 [0-8] 8B 40 0C }", "{ 65 48 8B 04 25 60 00 00 00 }",
    "{ FF 15 ?? ?? ?? ?? 85 C0 74 ?? }", "{ E8 00 00 00 00 5? }",
    "{ 0F 31 [2-6] 0F 31 }", "{ 6A 40 68 00 30 00 00 }", "{ 41 B9 40 00 00 00 41 B8 00 30 00 00 }",
    "{ 31 C0 40 [0-4] 0F A2 }", "{ 8B 45 ?? 33 45 ?? 89 45 ?? }", "{ C7 44 24 ?? 00 00 00 00 E8 }",
    "{ 4C 8D 05 ?? ?? ?? ?? 48 8D 15 ?? ?? ?? ?? }", "{ 50 4B 03 04 14 00 }",
    "{ 52 61 72 21 1A 07 }", "{ 37 7A BC AF 27 1C }"]
MORE_PE = [
    "pe.imphash() == \"f34d5f2d4577ed6d9ceec516c1f5a744\"",
    "pe.imphash() == \"00000000000000000000000000000000\" and pe.number_of_imports == 0",
    "for any s in pe.sections : (s.name == \".text\" and s.characteristics & pe.SECTION_MEM_WRITE)",
    "for any s in pe.sections : (s.raw_data_size == 0 and s.virtual_size > 1000000)",
    "pe.number_of_resources > 500",
    "for any r in pe.resources : (r.type == pe.RESOURCE_TYPE_RCDATA and r.length > 1000000)",
    "pe.exports(\"ServiceMain\") and pe.imports(\"advapi32.dll\", \"RegisterServiceCtrlHandlerW\")",
    "pe.linker_version.major == 2 and pe.subsystem == pe.SUBSYSTEM_WINDOWS_GUI and "
    "pe.number_of_exports == 0",
    "pe.rich_signature.clear_data != \"\" and pe.rich_signature.version(0x1234) > 0",
    "pe.overlay.size > 1000000",
    "for any i in (0..pe.number_of_imports - 1) : (pe.import_details[i].library_name == \"ws2_32.dll\""
    " and pe.import_details[i].number_of_functions > 40)",
    "pe.version_info[\"CompanyName\"] contains \"Evil Corp\""]
HASHES = [
    "hash.md5(0, 4096) == \"00000000000000000000000000000000\"",
    "hash.sha256(0, filesize) == \"" + "ab" * 32 + "\"",
    "for any s in pe.sections : (hash.md5(s.raw_data_offset, s.raw_data_size) == "
    "\"0123456789abcdef0123456789abcdef\")",
    "hash.sha1(pe.overlay.offset, pe.overlay.size) == \"" + "cd" * 20 + "\"",
    "hash.crc32(0, 1024) == 0x12345678",
    "for any s in pe.sections : (s.name == \".text\" and "
    "hash.sha256(s.raw_data_offset, s.raw_data_size) == \"" + "ef" * 32 + "\")",
    "hash.md5(pe.rich_signature.clear_data) == \"11111111111111111111111111111111\"",
    "math.entropy(0, filesize) > 7.9"]


def bench_rules():
    rules = []
    for i, s in enumerate(STRINGS):
        rules.append(f'rule api_{i} {{\n  strings:\n    $a = "{s}" ascii wide\n'
                     f'  condition:\n    $a\n}}\n')
    for i, h in enumerate(HEX):
        rules.append(f"rule hex_{i} {{\n  strings:\n    $h = {h}\n  condition:\n    $h at 0 or #h > 3\n}}\n")
    for i, c in enumerate(PE):
        rules.append(f"rule pe_{i} {{\n  condition:\n    {c}\n}}\n")
    return rules


def plain_rules():
    return [f'rule plain_{i} {{\n  strings:\n    $a = "{s}"\n  condition:\n    $a\n}}\n'
            for i, s in enumerate(PLAIN)]


def heavy_rules():
    rules = bench_rules()
    for i, s in enumerate(MORE_STRINGS):
        modifiers = "ascii wide nocase" if i % 4 == 0 else "ascii wide"
        escaped = s.replace("\\", "\\\\")
        rules.append(f'rule more_api_{i} {{\n  strings:\n    $a = "{escaped}" {modifiers}\n'
                     f'  condition:\n    $a and uint16(0) == 0x5A4D\n}}\n')
    for i, h in enumerate(MORE_HEX):
        rules.append(f"rule more_hex_{i} {{\n  strings:\n    $h = {h}\n"
                     f"  condition:\n    #h > 2000 or ($h in (0..1024))\n}}\n")
    for i, c in enumerate(MORE_PE):
        rules.append(f"rule more_pe_{i} {{\n  condition:\n    {c}\n}}\n")
    for i, c in enumerate(HASHES):
        rules.append(f"rule hash_{i} {{\n  condition:\n    {c}\n}}\n")
    return rules


SETS = {"bench": (['import "pe"\n'], bench_rules),
        "plain": ([], plain_rules),
        "heavy": (['import "pe"\n', 'import "hash"\n', 'import "math"\n'], heavy_rules)}


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] not in SETS):
        sys.exit(f"usage: {sys.argv[0]} OUT.yar [{'|'.join(SETS)}]")
    imports, make = SETS[sys.argv[2] if len(sys.argv) == 3 else "bench"]
    open(sys.argv[1], "w").write("\n".join(imports + make()))


if __name__ == "__main__":
    main()
