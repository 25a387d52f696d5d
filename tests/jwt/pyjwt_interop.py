#!/usr/bin/env python3
"""PyJWT (python3-jwt) on the other side of keyward's JWT code, for tests/jwt/verifier_test.cpp.

  pyjwt_interop.py mint
      PyJWT mints HS256/HS384/HS512 tokens over several claim sets and keys, then decodes each itself with
      the policy keyward will use (leeway 60 s, the expected iss/aud when given). One line per token:
        <now> <alg> <key hex> <kid or -> <iss or -> <aud or -> <verdict> <token>
      where verdict is "ok" or the PyJWT exception class name; keyward must agree.
  pyjwt_interop.py verify FILE
      FILE holds lines `<alg> <key hex> <token> <claims json>` minted by keyward (jwt::signer). PyJWT
      decodes each (signature, exp, nbf, iat at the current time, no audience) and prints one line per
      token: "ok" when it verifies and its claims equal the given JSON, else the reason.
Exit status 77 when PyJWT cannot be imported; the test looks for a python3 that has it first, and fails
when none does (CI installs python3-jwt).
"""
import json
import sys
import time

try:
    import jwt
except ImportError:
    print("PyJWT (python3-jwt) is not installed", file=sys.stderr)
    sys.exit(77)

HASH_SIZE = {"HS256": 32, "HS384": 48, "HS512": 64}


def key_for(alg, seed):
    n = HASH_SIZE[alg] + seed  # never shorter than the hash output (RFC 7518 section 3.2)
    return bytes((seed * 31 + i * 7 + 1) % 256 for i in range(n))


def mint():
    now = int(time.time())
    rows = []
    claim_sets = [
        ({"sub": "user-1", "exp": now + 3600}, None, None),
        ({"sub": "user-2", "exp": now + 3600, "iat": now, "nbf": now - 10, "jti": "a-b-c"}, None, None),
        ({"iss": "https://issuer.example", "aud": "api", "exp": now + 600}, "https://issuer.example", "api"),
        ({"iss": "https://issuer.example", "aud": ["web", "api"], "exp": now + 600}, "https://issuer.example", "api"),
        ({"sub": "caf\u00e9 \U0001F600", "name": "\"quoted\" \\ /", "exp": now + 60, "n": 12345678901234}, None, None),
        ({"exp": now + 30.75, "iat": now - 0.5, "scope": "read write"}, None, None),
        ({"sub": "expired", "exp": now - 3600}, None, None),
        ({"sub": "leeway", "exp": now - 30}, None, None),          # expired, but within the 60 s leeway
        ({"sub": "future", "exp": now + 3600, "nbf": now + 600}, None, None),
        ({"sub": "soon", "exp": now + 3600, "nbf": now + 30}, None, None),  # within the leeway
        ({"iss": "https://other.example", "exp": now + 600}, "https://issuer.example", None),
        ({"aud": "other", "exp": now + 600}, None, "api"),
        ({"big": [list(range(20)), {"a": {"b": {"c": [True, False, None]}}}], "exp": now + 600}, None, None),
    ]
    for alg in ("HS256", "HS384", "HS512"):
        for index, (claims, issuer, audience) in enumerate(claim_sets):
            key = key_for(alg, index % 3)
            kid = "k%d" % (index % 3) if index % 2 else None
            headers = {"kid": kid} if kid else None
            token = jwt.encode(claims, key, algorithm=alg, headers=headers)
            try:
                jwt.decode(token, key, algorithms=[alg], leeway=60, issuer=issuer, audience=audience,
                           options={"require": ["exp"]})
                verdict = "ok"
            except jwt.PyJWTError as failure:
                verdict = type(failure).__name__
            rows.append("%d %s %s %s %s %s %s %s" % (now, alg, key.hex(), kid or "-", issuer or "-",
                                                     audience or "-", verdict, token))
    # A token signed with one key, checked by PyJWT under another: the verdict is InvalidSignatureError.
    key = key_for("HS256", 0)
    token = jwt.encode({"exp": now + 600}, key_for("HS256", 1)[:32], algorithm="HS256")
    try:
        jwt.decode(token, key, algorithms=["HS256"])
        verdict = "ok"
    except jwt.PyJWTError as failure:
        verdict = type(failure).__name__
    rows.append("%d HS256 %s - - - %s %s" % (now, key.hex(), verdict, token))
    print("\n".join(rows))


def verify(path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            alg, key_hex, token, claims_json = line.rstrip("\n").split(" ", 3)
            try:
                decoded = jwt.decode(token, bytes.fromhex(key_hex), algorithms=[alg],
                                     options={"verify_aud": False, "require": ["exp"]})
                header = jwt.get_unverified_header(token)
                if decoded != json.loads(claims_json):
                    print("claims differ: %r" % decoded)
                elif header.get("alg") != alg:
                    print("alg differs: %r" % header)
                else:
                    print("ok")
            except jwt.PyJWTError as failure:
                print(type(failure).__name__)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "mint":
        mint()
    elif len(sys.argv) == 3 and sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
