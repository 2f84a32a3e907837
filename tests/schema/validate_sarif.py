#!/usr/bin/env python3
"""Validates SARIF logs against a JSON schema (draft-07), e.g. sarif-2.1.0-subset.schema.json.

Usage: validate_sarif.py SCHEMA FILE...   (Debian's /usr/bin/python3 with python3-jsonschema)

Every error is printed as `FILE: JSON-PATH: message` (the alternatives of a failed anyOf/oneOf
are listed under it). Exit status: 0 when every file is valid, 1 when any file is invalid or
unreadable, 2 on usage errors (wrong arguments, unreadable or invalid schema).

Formats are asserted, not just annotated: a jsonschema.FormatChecker is used, and because
python3-jsonschema only checks "uri", "uri-reference" and "date-time" when the optional
rfc3987 / rfc3339-validator modules are installed (Debian 12 does not pull them in), this
script supplies RFC 3986 / RFC 3339 checks for those formats whenever the library has none.
"""
import calendar
import ipaddress
import json
import re
import sys

import jsonschema

# RFC 3986 character sets (section 2).
_UNRESERVED = r"A-Za-z0-9._~\-"
_SUB_DELIMS = "!$&'()*+,;="
_PCT = "%[0-9A-Fa-f]{2}"
_PCHAR = f"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_SEGMENT = re.compile(f"{_PCHAR}*")
_QUERY_OR_FRAGMENT = re.compile(f"(?:{_PCHAR}|[/?])*")
_SCHEME = re.compile("[A-Za-z][A-Za-z0-9+.-]*")
_USERINFO = re.compile(f"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*")
_REG_NAME = re.compile(f"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*")
_IPVFUTURE = re.compile(f"[vV][0-9A-Fa-f]+\\.[{_UNRESERVED}{_SUB_DELIMS}:]+")
# RFC 3986 appendix B: splits any string into its five components.
_SPLIT = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)


def _valid_authority(authority):
    userinfo, at, hostport = authority.partition("@")
    if not at:
        userinfo, hostport = "", authority
    if not _USERINFO.fullmatch(userinfo):
        return False
    if hostport.startswith("["):
        literal, bracket, port = hostport[1:].partition("]")
        if not bracket:
            return False
        if not _IPVFUTURE.fullmatch(literal):
            try:
                ipaddress.IPv6Address(literal)
            except ValueError:
                return False
            if "%" in literal:  # zone ids are not part of RFC 3986
                return False
    else:
        host, colon, port = hostport.partition(":")
        port = colon + port
        if not _REG_NAME.fullmatch(host):
            return False
    return port == "" or re.fullmatch(r":[0-9]*", port) is not None


def is_uri_reference(value, absolute=False):
    """RFC 3986 URI-reference (section 4.1); with absolute=True, a URI (section 3)."""
    if not isinstance(value, str):
        return True
    scheme, authority, path, query, fragment = _SPLIT.fullmatch(value).groups()
    if scheme is None:
        if absolute:
            return False
    elif not _SCHEME.fullmatch(scheme):
        return False
    if authority is not None and not _valid_authority(authority):
        return False
    if not all(_SEGMENT.fullmatch(segment) for segment in path.split("/")):
        return False
    return all(part is None or _QUERY_OR_FRAGMENT.fullmatch(part) for part in (query, fragment))


_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))")


def is_date_time(value):
    """RFC 3339 date-time (section 5.6), as JSON Schema's "date-time" format."""
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.fullmatch(value)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    if hour > 23 or minute > 59 or second > 60:  # 60: leap second
        return False
    off_hour, off_minute = match.group(7), match.group(8)
    return off_hour is None or (int(off_hour) <= 23 and int(off_minute) <= 59)


def format_checker():
    checker = jsonschema.FormatChecker()
    fallbacks = {
        "uri": lambda v: is_uri_reference(v, absolute=True),
        "uri-reference": is_uri_reference,
        "date-time": is_date_time,
    }
    for name, check in fallbacks.items():
        if name not in checker.checkers:
            checker.checks(name)(check)
    return checker


def load_validator(schema_path):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=format_checker())


def error_lines(validator, document):
    """Every validation error of `document` as 'JSON-PATH: message' lines."""
    lines = []
    errors = sorted(validator.iter_errors(document), key=lambda e: (e.json_path, e.message))
    for error in errors:
        lines.append(f"{error.json_path}: {error.message}")
        for sub in sorted(error.context or (), key=lambda e: (e.json_path, e.message)):
            lines.append(f"    alternative {sub.schema_path[0] if sub.schema_path else '?'}: "
                         f"{sub.json_path}: {sub.message}")
    return lines


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        validator = load_validator(argv[1])
    except (OSError, ValueError, jsonschema.SchemaError) as exc:
        print(f"validate_sarif.py: cannot use schema {argv[1]}: {exc}", file=sys.stderr)
        return 2
    invalid = 0
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                document = json.load(f)
        except (OSError, ValueError) as exc:
            print(f"{path}: cannot read JSON: {exc}")
            invalid += 1
            continue
        lines = error_lines(validator, document)
        for line in lines:
            print(f"{path}: {line}")
        if lines:
            invalid += 1
        else:
            print(f"{path}: valid")
    print(f"{len(argv) - 2 - invalid} valid, {invalid} invalid")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
