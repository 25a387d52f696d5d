#!/usr/bin/env python3
"""Python's json and fractions as the independent reference for tests/jwt/json_test.cpp, run at test
time.

  json_crosscheck.py texts FILE DEPTH MEMBERS ELEMENTS
      FILE holds one JSON text per line, hex-encoded. Prints one line per text:
        <plain> <strict> <string>
      plain:  1 when json.loads accepts the text (decoded as strict UTF-8 first; NaN and Infinity refused),
              else 0;
      strict: 1 when it is also accepted under keyward's stricter rules (RFC 8259 section 9 and the rules of
              include/keyward/jwt/json.hpp): no duplicate member name (compared after unescaping), no lone
              surrogate in any string, containers nested at most DEPTH deep, at most MEMBERS members per
              object and ELEMENTS elements per array;
      string: when strict is 1 and the value is a string, its UTF-8 bytes in hex ("" as "="); else "-".

  json_crosscheck.py numbers FILE
      FILE holds one JSON number per line. Prints one line per number: <floor> <integer>, where floor is the
      exact floor of the number as an int64 (or R when outside int64) and integer its exact value when it is
      an integer inside int64 (else R). Exact: Python integers and fractions.Fraction, no float.
"""
import fractions
import json
import math
import re
import sys

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def refuse_constant(name):
    raise ValueError("not JSON: " + name)


def unique_pairs(pairs):
    seen = set()
    for name, _ in pairs:
        if name in seen:
            raise ValueError("duplicate member name")
        seen.add(name)
    return dict(pairs)


class Limits:
    def __init__(self, depth, members, elements):
        self.depth, self.members, self.elements = depth, members, elements


def has_lone_surrogate(text):
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def strict_ok(value, limits, depth=0):
    """keyward's extra rules on a decoded value: surrogates, depth, sizes (duplicates are refused while
    parsing by unique_pairs)."""
    if isinstance(value, str):
        return not has_lone_surrogate(value)
    if isinstance(value, dict):
        if depth + 1 > limits.depth or len(value) > limits.members:
            return False
        return all(strict_ok(k, limits) and strict_ok(v, limits, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        if depth + 1 > limits.depth or len(value) > limits.elements:
            return False
        return all(strict_ok(v, limits, depth + 1) for v in value)
    return True


def load(data, **hooks):
    text = data.decode("utf-8")  # strict: no surrogates, overlong forms or bytes above U+10FFFF
    return json.loads(text, parse_constant=refuse_constant, **hooks)


def check_texts(path, limits):
    out = []
    with open(path) as lines:
        for line in lines:
            data = bytes.fromhex(line.strip())
            try:
                load(data)
                plain = 1
            except Exception:  # ValueError, UnicodeDecodeError, RecursionError
                plain = 0
            strict, string = 0, "-"
            if plain:
                try:
                    value = load(data, object_pairs_hook=unique_pairs)
                    if strict_ok(value, limits):
                        strict = 1
                        if isinstance(value, str):
                            string = value.encode("utf-8").hex() or "="
                except Exception:
                    pass
            out.append("%d %d %s" % (plain, strict, string))
    print("\n".join(out))


def int64_or_r(value):
    return str(value) if INT64_MIN <= value <= INT64_MAX else "R"


NUMBER = re.compile(r"(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?\Z")


def check_numbers(path):
    out = []
    with open(path) as lines:
        for line in lines:
            sign, whole, fraction, exponent = NUMBER.match(line.strip()).groups()
            fraction = fraction or ""
            digits = int(whole + fraction)  # value = (-1)^sign * digits * 10^(exponent - len(fraction))
            if digits == 0:
                out.append("0 0")
                continue
            scale = int(exponent or "0") - len(fraction)
            # The exponent of the leading digit: |value| >= 10^19 > 2^63 beyond 18, and |value| < 1 below 0
            # (both decided without building a huge power of ten).
            leading = len(str(digits)) - 1 + scale
            negative = sign == "-"
            if leading > 18:
                out.append("R R")
                continue
            if leading < 0:
                out.append("%s R" % ("-1" if negative else "0"))
                continue
            exact = fractions.Fraction(digits) * fractions.Fraction(10) ** scale
            if negative:
                exact = -exact
            floor = math.floor(exact)
            integer = int64_or_r(floor) if exact.denominator == 1 else "R"
            out.append("%s %s" % (int64_or_r(floor), integer))
    print("\n".join(out))


def main():
    if sys.argv[1] == "texts":
        check_texts(sys.argv[2], Limits(int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])))
    elif sys.argv[1] == "numbers":
        check_numbers(sys.argv[2])
    else:
        sys.exit("usage: json_crosscheck.py texts FILE DEPTH MEMBERS ELEMENTS | numbers FILE")


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)  # JSON has no limit on digits
    main()
