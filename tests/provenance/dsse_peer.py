#!/usr/bin/python3
"""An independent DSSE v1 implementation, written from the DSSE specification
(https://github.com/secure-systems-lab/dsse, protocol.md and envelope.md), not from cascade's
code, to sign and check what `cascade attest` / `cascade verify` write and read.

  PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
  (LEN = ASCII decimal byte count, no leading zeros; SP = one 0x20 byte)

  envelope = {"payload": b64(body), "payloadType": type,
              "signatures": [{"keyid": "...", "sig": b64(signature over PAE)}]}

Ed25519 signs PAE directly (64-byte signature). ECDSA P-256 signs SHA-256(PAE); this peer
writes DER and accepts DER or raw r||s (64 bytes). Base64 is read in either alphabet (standard
or URL-safe), with or without padding. A bundle (.intoto.jsonl) holds one envelope per line;
blank lines are ignored.

Usage (Debian's /usr/bin/python3, python3-cryptography):
  dsse_peer.py genkey --type ed25519|ecdsa-p256 -o PREFIX         -> PREFIX.key, PREFIX.pub
  dsse_peer.py sign --key K.key --payload-file F [--payload-type T] [--keyid ID | --no-keyid]
                    [--urlsafe] [--nopad] -o OUT.intoto.jsonl [--append]
  dsse_peer.py verify --pub K.pub BUNDLE                          -> exit 0 iff every envelope ok
  dsse_peer.py statement --subject NAME=SHA256 ... --builder-id URI [--build-type URI]
                    [--material NAME=SHA256 ...] [--started T --finished T] [--invocation-id ID]
  dsse_peer.py sign-each --key K.key --tree DIR --builder-id URI -o OUT.intoto.jsonl
                    (one statement per file under DIR, subject = its path relative to DIR, one
                     envelope each: for benchmarks)
  dsse_peer.py selftest

Key id (default keyid): lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER.
"""
import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (decode_dss_signature,
                                                             encode_dss_signature)

IN_TOTO_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
HEX64 = re.compile(r"^[0-9a-f]{64}$")


# --- DSSE primitives ----------------------------------------------------------------------------
def pae(payload_type, body):
    """Pre-authentication encoding: payload_type is str (encoded UTF-8), body is bytes."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def b64encode(data, urlsafe=False, pad=True):
    s = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode("ascii")
    return s if pad else s.rstrip("=")


def b64decode(text):
    """Standard or URL-safe base64, padded or not; anything else raises ValueError."""
    if not isinstance(text, str):
        raise ValueError("base64 value is not a string")
    std = "+" in text or "/" in text
    url = "-" in text or "_" in text
    if std and url:
        raise ValueError("base64 mixes the standard and URL-safe alphabets")
    core = text.rstrip("=")
    if len(text) - len(core) > 2 or "=" in core:
        raise ValueError("bad base64 padding")
    if len(core) % 4 == 1:
        raise ValueError("bad base64 length")
    if url:
        core = core.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(core + "=" * (-len(core) % 4), validate=True)
    except binascii.Error as e:
        raise ValueError(f"bad base64: {e}") from None


def key_id(public_key):
    spki = public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def load_private(path):
    with open(path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    check_key_type(key.public_key())
    return key


def load_public(path):
    with open(path, "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    check_key_type(key)
    return key


def check_key_type(pub):
    if isinstance(pub, ed25519.Ed25519PublicKey):
        return
    if isinstance(pub, ec.EllipticCurvePublicKey) and isinstance(pub.curve, ec.SECP256R1):
        return
    raise SystemExit(f"unsupported key type {type(pub).__name__} (Ed25519 or ECDSA P-256 only)")


def sign_bytes(priv, message):
    if isinstance(priv, ed25519.Ed25519PrivateKey):
        return priv.sign(message)
    return priv.sign(message, ec.ECDSA(hashes.SHA256()))  # DER


def verify_bytes(pub, message, sig):
    """True iff sig is a valid signature of message by pub."""
    try:
        if isinstance(pub, ed25519.Ed25519PublicKey):
            if len(sig) != 64:
                return False
            pub.verify(sig, message)
            return True
        candidates = []
        if len(sig) == 64:  # raw r||s (a DER signature can also be 64 bytes: try both)
            candidates.append(encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                                   int.from_bytes(sig[32:], "big")))
        candidates.append(sig)
        for der in candidates:
            try:
                # Reject DER that does not re-encode identically (BER, trailing bytes).
                r, s = decode_dss_signature(der)
                if encode_dss_signature(r, s) != der:
                    continue
                pub.verify(der, message, ec.ECDSA(hashes.SHA256()))
                return True
            except (InvalidSignature, ValueError):
                continue
        return False
    except InvalidSignature:
        return False


def make_envelope(priv, payload_type, body, keyid=None, urlsafe=False, pad=True):
    sig = sign_bytes(priv, pae(payload_type, body))
    entry = {}
    if keyid is not None:
        entry["keyid"] = keyid
    entry["sig"] = b64encode(sig, urlsafe, pad)
    return {"payload": b64encode(body, urlsafe, pad), "payloadType": payload_type,
            "signatures": [entry]}


def check_envelope(pub, env):
    """None if some signature of env verifies with pub, else the reason it does not."""
    if not isinstance(env, dict):
        return "envelope is not a JSON object"
    for field, kind in (("payload", str), ("payloadType", str), ("signatures", list)):
        if not isinstance(env.get(field), kind):
            return f"missing or mistyped field {field!r}"
    try:
        body = b64decode(env["payload"])
    except ValueError as e:
        return f"payload: {e}"
    if not env["signatures"]:
        return "no signatures"
    message = pae(env["payloadType"], body)
    reasons = []
    for i, s in enumerate(env["signatures"]):
        if not isinstance(s, dict) or not isinstance(s.get("sig"), str):
            reasons.append(f"signature {i}: no sig string")
            continue
        if "keyid" in s and not isinstance(s["keyid"], str):
            reasons.append(f"signature {i}: keyid is not a string")
            continue
        try:
            sig = b64decode(s["sig"])
        except ValueError as e:
            reasons.append(f"signature {i}: {e}")
            continue
        # keyid is an unauthenticated hint (spec): it does not decide anything here.
        if verify_bytes(pub, message, sig):
            return None
        reasons.append(f"signature {i}: does not verify")
    return "; ".join(reasons)


def check_bundle_text(pub, text):
    """[(line number, reason or None)] for every non-blank line."""
    results = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            env = json.loads(line)
        except json.JSONDecodeError as e:
            results.append((n, f"not JSON: {e}"))
            continue
        results.append((n, check_envelope(pub, env)))
    return results


# --- in-toto Statement / SLSA Provenance v1 ---------------------------------------------------
def parse_digest_arg(arg):
    name, sep, digest = arg.rpartition("=")
    digest = digest.lower()
    if not sep or not name or not HEX64.match(digest):
        raise SystemExit(f"expected NAME=SHA256 (64 hex digits), got {arg!r}")
    return {"name": name, "digest": {"sha256": digest}}


def statement(subjects, builder_id, materials=(), started=None, finished=None,
              build_type="https://example.com/build/v1", invocation_id="urn:dsse-peer:1"):
    metadata = {"invocationId": invocation_id}
    if started is not None:
        metadata["startedOn"] = started
    if finished is not None:
        metadata["finishedOn"] = finished
    return {
        "_type": STATEMENT_TYPE,
        "subject": list(subjects),
        "predicateType": SLSA_PROVENANCE_V1,
        "predicate": {
            "buildDefinition": {
                "buildType": build_type,
                "externalParameters": {},
                "internalParameters": {},
                "resolvedDependencies": list(materials),
            },
            "runDetails": {
                "builder": {"id": builder_id},
                "metadata": metadata,
                "byproducts": [],
            },
        },
    }


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# --- commands ---------------------------------------------------------------------------------
def cmd_genkey(a):
    if a.type == "ed25519":
        priv = ed25519.Ed25519PrivateKey.generate()
    else:
        priv = ec.generate_private_key(ec.SECP256R1())
    with open(a.o + ".key", "wb") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    with open(a.o + ".pub", "wb") as f:
        f.write(priv.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo))
    return 0


def cmd_sign(a):
    priv = load_private(a.key)
    with open(a.payload_file, "rb") as f:
        body = f.read()
    keyid = None if a.no_keyid else (a.keyid if a.keyid is not None else key_id(priv.public_key()))
    env = make_envelope(priv, a.payload_type, body, keyid, a.urlsafe, not a.nopad)
    with open(a.o, "a" if a.append else "w", encoding="utf-8") as f:
        f.write(dumps(env) + "\n")
    return 0


def cmd_verify(a):
    pub = load_public(a.pub)
    with open(a.bundle, encoding="utf-8") as f:
        results = check_bundle_text(pub, f.read())
    bad = 0
    out = []
    for n, reason in results:
        if reason is None:
            out.append(f"ok {n}")
        else:
            bad += 1
            out.append(f"bad {n}: {reason}")
    if not results:
        out.append("bad 0: no envelopes")
    sys.stdout.write("\n".join(out) + "\n")
    return 0 if results and not bad else 1


def cmd_statement(a):
    st = statement([parse_digest_arg(s) for s in a.subject], a.builder_id,
                   [parse_digest_arg(m) for m in a.material or []], a.started, a.finished,
                   a.build_type, a.invocation_id)
    print(dumps(st))
    return 0


def cmd_sign_each(a):
    priv = load_private(a.key)
    keyid = key_id(priv.public_key())
    root = os.path.abspath(a.tree)
    names = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for fn in sorted(files):
            names.append(os.path.relpath(os.path.join(d, fn), root).replace(os.sep, "/"))
    with open(a.o, "w", encoding="utf-8") as out:
        for name in names:
            h = hashlib.sha256()
            with open(os.path.join(root, name), "rb") as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
            st = statement([{"name": name, "digest": {"sha256": h.hexdigest()}}], a.builder_id,
                           build_type=a.build_type)
            out.write(dumps(make_envelope(priv, IN_TOTO_TYPE, dumps(st).encode(), keyid)) + "\n")
    return 0


# --- self-test --------------------------------------------------------------------------------
def selftest(_a=None):
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    # The spec's PAE example (protocol.md).
    expect(pae("http://example.com/HelloWorld", b"hello world") ==
           b"DSSEv1 29 http://example.com/HelloWorld 11 hello world", "PAE spec example")
    expect(pae("", b"") == b"DSSEv1 0  0 ", "PAE of empty type and body")
    expect(pae("t\u00e9", b"x") == b"DSSEv1 3 t\xc3\xa9 1 x", "PAE counts bytes, not chars")

    # base64: both alphabets, padding optional; junk rejected.
    raw = bytes(range(256)) + b"\xfb\xff\xfe"
    for urlsafe in (False, True):
        for pad in (False, True):
            expect(b64decode(b64encode(raw, urlsafe, pad)) == raw, f"b64 urlsafe={urlsafe} pad={pad}")
    for junk in ("ab$d", "a", "ab+_", "ab=c", "abc===", "YQ==="):
        try:
            b64decode(junk)
            failures.append(f"b64 accepted {junk!r}")
        except ValueError:
            pass

    st = statement([{"name": "ExamplePhone.exe", "digest": {"sha256": "ab" * 32}}],
                   "https://ci.example.com/builder", started="2023-11-14T22:13:20Z",
                   finished="2023-11-14T22:13:21Z")
    body = dumps(st).encode()
    for kind in ("ed25519", "ecdsa-p256"):
        priv = (ed25519.Ed25519PrivateKey.generate() if kind == "ed25519"
                else ec.generate_private_key(ec.SECP256R1()))
        pub = priv.public_key()
        other = (ed25519.Ed25519PrivateKey.generate() if kind == "ed25519"
                 else ec.generate_private_key(ec.SECP256R1())).public_key()
        for urlsafe in (False, True):
            for pad in (False, True):
                env = make_envelope(priv, IN_TOTO_TYPE, body, key_id(pub), urlsafe, pad)
                expect(check_envelope(pub, env) is None, f"{kind} good envelope u={urlsafe} p={pad}")
        env = make_envelope(priv, IN_TOTO_TYPE, body, key_id(pub))
        expect(check_envelope(other, env) is not None, f"{kind}: wrong key accepted")
        # One byte changed in the payload (every position class: first, middle, last).
        for at in (0, len(body) // 2, len(body) - 1):
            b = bytearray(body)
            b[at] ^= 0x01
            e = dict(env, payload=b64encode(bytes(b)))
            expect(check_envelope(pub, e) is not None, f"{kind}: payload byte {at} change accepted")
        # One byte changed in the payloadType.
        for at in (0, len(IN_TOTO_TYPE) - 1):
            t = bytearray(IN_TOTO_TYPE.encode())
            t[at] ^= 0x01
            e = dict(env, payloadType=t.decode())
            expect(check_envelope(pub, e) is not None, f"{kind}: payloadType byte {at} accepted")
        # One byte changed in the signature.
        sig = b64decode(env["signatures"][0]["sig"])
        for at in (0, len(sig) // 2, len(sig) - 1):
            s = bytearray(sig)
            s[at] ^= 0x01
            e = dict(env, signatures=[{"keyid": key_id(pub), "sig": b64encode(bytes(s))}])
            expect(check_envelope(pub, e) is not None, f"{kind}: sig byte {at} change accepted")
        # keyid is a hint only; a wrong one does not matter, a second bad signature is skipped.
        e = dict(env, signatures=[{"keyid": "nope", "sig": b64encode(b"\0" * 64)},
                                  dict(env["signatures"][0], keyid="wrong")])
        expect(check_envelope(pub, e) is None, f"{kind}: good second signature not found")
        expect(check_envelope(pub, dict(env, signatures=[])) is not None, f"{kind}: no sigs ok")
        if kind == "ecdsa-p256":
            r, s = decode_dss_signature(sig)
            rs = r.to_bytes(32, "big") + s.to_bytes(32, "big")
            e = dict(env, signatures=[{"keyid": "", "sig": b64encode(rs)}])
            expect(check_envelope(pub, e) is None, "ecdsa raw r||s rejected")
            n = int("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16)
            hi = encode_dss_signature(r, n - s)  # the high-s twin also verifies in ECDSA
            e = dict(env, signatures=[{"sig": b64encode(hi)}])
            expect(check_envelope(pub, e) is None, "ecdsa high-s DER rejected")
            e = dict(env, signatures=[{"sig": b64encode(sig + b"\0")}])
            expect(check_envelope(pub, e) is not None, "ecdsa DER with trailing byte accepted")
        else:
            expect(len(sig) == 64, "ed25519 signature length")

    # The CLI end to end: genkey, statement, sign (two lines, one URL-safe), verify, tamper.
    with tempfile.TemporaryDirectory() as tmp:
        me = [sys.executable, os.path.abspath(__file__)]

        def run(*args):
            return subprocess.run(me + list(args), capture_output=True, text=True, check=False)

        for kind in ("ed25519", "ecdsa-p256"):
            k = os.path.join(tmp, kind)
            expect(run("genkey", "--type", kind, "-o", k).returncode == 0, f"cli genkey {kind}")
            st_out = run("statement", "--subject", "a.exe=" + "cd" * 32, "--subject",
                         "dir/b.dll=" + "EF" * 32, "--material", "src.tar.gz=" + "01" * 32,
                         "--builder-id", "https://ci.example.com/b", "--started",
                         "2023-11-14T22:13:20Z", "--finished", "2023-11-14T22:13:21Z")
            expect(st_out.returncode == 0, "cli statement")
            doc = json.loads(st_out.stdout)
            expect(doc["subject"][1] == {"name": "dir/b.dll", "digest": {"sha256": "ef" * 32}},
                   "cli statement subject")
            pf = os.path.join(tmp, "st.json")
            with open(pf, "w") as f:
                f.write(st_out.stdout)
            bundle = os.path.join(tmp, kind + ".intoto.jsonl")
            expect(run("sign", "--key", k + ".key", "--payload-file", pf, "-o", bundle)
                   .returncode == 0, "cli sign")
            expect(run("sign", "--key", k + ".key", "--payload-file", pf, "--urlsafe", "--nopad",
                       "-o", bundle, "--append").returncode == 0, "cli sign --append")
            with open(bundle) as f:
                lines = f.read().split("\n")
            with open(bundle, "w") as f:  # a blank line in the middle is ignored
                f.write(lines[0] + "\n\n" + lines[1] + "\n")
            v = run("verify", "--pub", k + ".pub", bundle)
            expect(v.returncode == 0 and v.stdout == "ok 1\nok 3\n", f"cli verify {kind}: {v.stdout}")
            env = json.loads(lines[0])
            with open(k + ".pub", "rb") as f:
                pub = serialization.load_pem_public_key(f.read())
            expect(env["signatures"][0]["keyid"] == key_id(pub), "cli default keyid")
            env["payloadType"] = "application/vnd.in-toto+jsoN"
            with open(bundle, "a") as f:
                f.write(dumps(env) + "\n")
            v = run("verify", "--pub", k + ".pub", bundle)
            expect(v.returncode == 1 and v.stdout.startswith("ok 1\nok 3\nbad 4: "),
                   f"cli verify tampered {kind}: {v.stdout}")

    for f in failures:
        print("selftest FAILED:", f)
    if not failures:
        print("selftest ok")
    return 1 if failures else 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    g = sub.add_parser("genkey")
    g.add_argument("--type", choices=("ed25519", "ecdsa-p256"), required=True)
    g.add_argument("-o", required=True, metavar="PREFIX")
    g.set_defaults(fn=cmd_genkey)

    s = sub.add_parser("sign")
    s.add_argument("--key", required=True)
    s.add_argument("--payload-file", required=True)
    s.add_argument("--payload-type", default=IN_TOTO_TYPE)
    s.add_argument("--keyid", default=None)
    s.add_argument("--no-keyid", action="store_true", help="omit the keyid field")
    s.add_argument("--urlsafe", action="store_true", help="URL-safe base64")
    s.add_argument("--nopad", action="store_true", help="base64 without '=' padding")
    s.add_argument("-o", required=True)
    s.add_argument("--append", action="store_true")
    s.set_defaults(fn=cmd_sign)

    v = sub.add_parser("verify")
    v.add_argument("--pub", required=True)
    v.add_argument("bundle")
    v.set_defaults(fn=cmd_verify)

    t = sub.add_parser("statement")
    t.add_argument("--subject", action="append", required=True)
    t.add_argument("--builder-id", required=True)
    t.add_argument("--build-type", default="https://example.com/build/v1")
    t.add_argument("--material", action="append")
    t.add_argument("--started")
    t.add_argument("--finished")
    t.add_argument("--invocation-id", default="urn:dsse-peer:1")
    t.set_defaults(fn=cmd_statement)

    e = sub.add_parser("sign-each")
    e.add_argument("--key", required=True)
    e.add_argument("--tree", required=True)
    e.add_argument("--builder-id", required=True)
    e.add_argument("--build-type", default="https://example.com/build/v1")
    e.add_argument("-o", required=True)
    e.set_defaults(fn=cmd_sign_each)

    sub.add_parser("selftest").set_defaults(fn=selftest)
    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
