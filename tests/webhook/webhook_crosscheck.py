#!/usr/bin/env python3
"""An independent signer of the four webhook schemes of include/keyward/webhook/ (Python's hmac, hashlib and
base64), for the tests in tests/webhook/ to agree with at test time.

  webhook_crosscheck.py FILE

FILE holds one case a line: `<scheme> <key hex> <id> <timestamp> <body hex> <padded>` (id "-" when the scheme
has none, body "-" when empty). For each, prints `<secret> <signature field value>`:
  standard  secret "whsec_" + Base64 of the key ('=' padding dropped when <padded> is 0),
            signature "v1," + Base64(HMAC-SHA256(key, id "." timestamp "." body))
  stripe    secret = the key hex as given, signature "t=<timestamp>,v1=" + hex(HMAC(key, timestamp "." body))
  github    secret = the key hex as given, signature "sha256=" + hex(HMAC(key, body))
  slack     secret = the key hex as given, signature "v0=" + hex(HMAC(key, "v0:" timestamp ":" body))
"""
import base64
import hashlib
import hmac
import sys


def mac(key, message):
    return hmac.new(key, message, hashlib.sha256)


def main(path):
    with open(path, encoding="ascii") as cases:
        for line in cases:
            scheme, key_hex, ident, timestamp, body_hex, padded = line.split()
            key = bytes.fromhex(key_hex)
            body = b"" if body_hex == "-" else bytes.fromhex(body_hex)
            if scheme == "standard":
                secret = "whsec_" + base64.b64encode(key).decode()
                if padded == "0":
                    secret = secret.rstrip("=")
                # Decode the secret as the reference libraries do, to check the text printed.
                text = secret[len("whsec_"):]
                assert base64.b64decode(text + "=" * (-len(text) % 4)) == key
                signed = ident.encode() + b"." + timestamp.encode() + b"." + body
                print(secret, "v1," + base64.b64encode(mac(key, signed).digest()).decode())
            elif scheme == "stripe":
                print(key_hex, "t=" + timestamp + ",v1=" + mac(key, timestamp.encode() + b"." + body).hexdigest())
            elif scheme == "github":
                print(key_hex, "sha256=" + mac(key, body).hexdigest())
            elif scheme == "slack":
                print(key_hex, "v0=" + mac(key, b"v0:" + timestamp.encode() + b":" + body).hexdigest())
            else:
                raise SystemExit("unknown scheme " + scheme)


if __name__ == "__main__":
    main(sys.argv[1])
