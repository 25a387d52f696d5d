#!/usr/bin/env python3
"""Cross-check for tests/jwt/sign_test.cpp, with Python's base64, json and hmac only (independent of keyward).

Usage: sign_crosscheck.py LINES-FILE

Each line is `token alg key-hex kid-hex typ-hex claims-hex` (an empty field as "-"): the token must be three
canonical unpadded base64url segments, its header exactly {"alg","typ","kid"} in that order (typ and kid left
out when empty) with no duplicate name, its payload the claims bytes, and its signature the HMAC of the ASCII
`header.payload`. Lines `claims <hex>` are claims_builder outputs: strict JSON objects without duplicate names
(NaN and Infinity refused), printed back canonically for the test to compare. A failing line prints
`line <n>: <reason>`; `checked <n>` is printed last.
"""
import base64, hashlib, hmac, json, re, sys

HASH = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}

def unhex(field):
    return b"" if field == "-" else bytes.fromhex(field)

def segment(text):
    assert re.fullmatch(r"[A-Za-z0-9_-]*", text), "alphabet"
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    assert base64.urlsafe_b64encode(data).rstrip(b"=").decode() == text, "not canonical"
    return data

def no_duplicates(pairs):
    names = [name for name, _ in pairs]
    assert len(names) == len(set(names)), "duplicate member"
    return dict(pairs)

def strict(text):
    def refuse(constant):
        raise ValueError(constant)
    return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=refuse)

checked = 0
for number, line in enumerate(open(sys.argv[1], encoding="ascii"), 1):
    fields = line.split()
    try:
        if fields[0] == "claims":
            value = strict(unhex(fields[1]).decode("utf-8"))
            assert isinstance(value, dict), "not an object"
            print("claims", json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":")))
        else:
            token, alg, key, kid, typ, claims = fields
            header, payload, signature = token.split(".")
            pairs = json.loads(segment(header), object_pairs_hook=lambda p: p)
            want = [("alg", alg)]
            if typ != "-": want.append(("typ", unhex(typ).decode("utf-8")))
            if kid != "-": want.append(("kid", unhex(kid).decode("utf-8")))
            assert pairs == want, "header %r" % (pairs,)
            assert segment(payload) == unhex(claims), "payload"
            mac = hmac.new(unhex(key), (header + "." + payload).encode("ascii"), HASH[alg]).digest()
            assert hmac.compare_digest(segment(signature), mac), "signature"
        checked += 1
    except Exception as failure:
        print("line %d: %s" % (number, failure))
print("checked", checked)
