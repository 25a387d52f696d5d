#!/usr/bin/env python3
"""Cross-check keyward's HTTP-date parser and formatter, and Retry-After, against Python at test time.

Oracles, all independent of keyward:
- formatting: email.utils.format_datetime(dt, usegmt=True) on random instants of years 0001-9999;
- values: email.utils.parsedate_to_datetime on the IMF-fixdate and asctime spellings of random instants
  (years 100-9999: Python reads smaller years as two-digit ones), and datetime arithmetic for the century
  that RFC 9110 section 5.6.7 gives an RFC 850 two-digit year, seen from a random `now`;
- strictness: the RFC 9110 grammar written as regular expressions below, plus calendar.monthrange for the
  day of the month, on thousands of mutated dates: keyward must accept exactly what they accept, with the
  same instant, and reject the rest with errc::http_invalid_date at an offset inside the text;
- Retry-After: Python integers (no overflow) for delay-seconds, and date - now clamped to [0, 2^31].
Usage: http_date_crosscheck.py PATH_TO_http_date_tool
"""
import calendar
import datetime
import email.utils
import random
import re
import subprocess
import sys

TOOL = sys.argv[1]
HTTP_INVALID_DATE = 214
HTTP_INVALID_RETRY_AFTER = 215
MAX_RETRY_AFTER = 2**31
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]  # datetime.weekday() order
LONG_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
failures = 0


def check(what, ok):
    global failures
    if not ok:
        failures += 1
        if failures <= 20:
            print("FAIL", what)


def run(requests):
    out = subprocess.run([TOOL], input="".join(r + "\n" for r in requests).encode(), capture_output=True)
    out.check_returncode()
    lines = out.stdout.decode().split("\n")[: len(requests)]
    assert len(lines) == len(requests), "tool output is short"
    return lines


def seconds_of(year, month, day, hour, minute, second):
    """Seconds since 1970 by datetime; years outside 1-9999 through the 400-year cycle (146097 days)."""
    shift = 0
    while year < 1:
        year, shift = year + 400, shift - 146097 * 86400
    while year > 9999:
        year, shift = year - 400, shift + 146097 * 86400
    dt = datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.timezone.utc)
    return int((dt - EPOCH).total_seconds()) + shift


def instant(seconds):
    return EPOCH + datetime.timedelta(seconds=seconds)


# RFC 9110 section 5.6.7, literally: case-sensitive names, single SP, DIGIT is 0-9 only.
DAY = b"(Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
LONG_DAY = b"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
MONTH = b"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
TIME = b"([0-9]{2}):([0-9]{2}):([0-9]{2})"
IMF_FIXDATE = re.compile(DAY + b", ([0-9]{2}) " + MONTH + b" ([0-9]{4}) " + TIME + b" GMT")
RFC850_DATE = re.compile(LONG_DAY + b", ([0-9]{2})-" + MONTH + b"-([0-9]{2}) " + TIME + b" GMT")
ASCTIME_DATE = re.compile(DAY + b" " + MONTH + b" ([0-9]{2}| [0-9]) " + TIME + b" ([0-9]{4})")


def rfc850_century(two_digits, fields, now):
    """The latest year ending in two_digits whose timestamp is not more than 50 years after now."""
    t = instant(now)
    limit = (t.year + 50, t.month, t.day, t.hour, t.minute, t.second)
    year = (t.year + 50) // 100 * 100 + 100 + two_digits
    while (year,) + fields > limit:
        year -= 100
    return year


def expected_parse(text, now):
    """The instant keyward must give for text, or None when it must reject it."""
    m = IMF_FIXDATE.fullmatch(text)
    a = ASCTIME_DATE.fullmatch(text)
    r = RFC850_DATE.fullmatch(text)
    if m:
        fields = (int(m[4]), MONTHS.index(m[3].decode()) + 1, int(m[2]), int(m[5]), int(m[6]), int(m[7]))
    elif a:
        fields = (int(a[7]), MONTHS.index(a[2].decode()) + 1, int(a[3]), int(a[4]), int(a[5]), int(a[6]))
    elif r:
        rest = (MONTHS.index(r[3].decode()) + 1, int(r[2]), int(r[5]), int(r[6]), int(r[7]))
        fields = (rfc850_century(int(r[4]), rest, now),) + rest
    else:
        return None
    year, month, day, hour, minute, second = fields
    if hour > 23 or minute > 59 or second > 60 or (second == 60 and (hour, minute) != (23, 59)):
        return None
    leap_twin = year % 400 + 400  # a year with the same leap rule that calendar accepts
    if not 1 <= day <= calendar.monthrange(leap_twin, month)[1]:
        return None
    return seconds_of(year, month, day, hour, minute, min(second, 59))  # 23:59:60 counts as 23:59:59


def spellings(seconds):
    """The three spellings of an instant: IMF-fixdate, RFC 850, asctime."""
    t = instant(seconds)
    imf = email.utils.format_datetime(t, usegmt=True)
    rfc850 = "%s, %02d-%s-%02d %02d:%02d:%02d GMT" % (
        LONG_DAYS[t.weekday()], t.day, MONTHS[t.month - 1], t.year % 100, t.hour, t.minute, t.second)
    return imf, rfc850, t.ctime()  # ctime: "Sun Nov  6 08:49:37 1994"


rng = random.Random(9110)
YEAR_1 = seconds_of(1, 1, 1, 0, 0, 0)
LAST = seconds_of(9999, 12, 31, 23, 59, 59)
YEAR_100 = seconds_of(100, 1, 1, 0, 0, 0)

# 1. Formatting against email.utils.format_datetime.
instants = [YEAR_1, LAST, 0, -1, 784111777] + [rng.randrange(YEAR_1, LAST + 1) for _ in range(3000)]
for t, line in zip(instants, run(["format %d" % t for t in instants])):
    check(f"format {t}: {line}", line == "ok " + email.utils.format_datetime(instant(t), usegmt=True))
outside = [seconds_of(0, 1, 1, 0, 0, 0) - 1, LAST + 1]
for t, line in zip(outside, run(["format %d" % t for t in outside])):
    check(f"format out of range {t}: {line}", line == "err %d" % HTTP_INVALID_DATE)

# 2. Parsing the three spellings of random instants, with email.utils.parsedate_to_datetime as the oracle
# for IMF-fixdate and asctime, and RFC 9110's century rule (computed here) for RFC 850.
requests, expected = [], []
for _ in range(3000):
    t = rng.randrange(YEAR_100, LAST + 1)
    now = min(max(t + rng.randrange(-100 * 366 * 86400, 100 * 366 * 86400), YEAR_1), LAST)
    imf, rfc850, asctime = spellings(t)
    for text in (imf, asctime):
        value = email.utils.parsedate_to_datetime(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)  # asctime is UTC (RFC 9110 section 5.6.7)
        requests.append("parse %d %s" % (now, text.encode().hex()))
        expected.append((text, int((value - EPOCH).total_seconds())))
    python_850 = email.utils.parsedate_to_datetime(rfc850)  # fixed 1969-2068 window; fields still agree
    want = expected_parse(rfc850.encode(), now)
    check(f"python reads {rfc850} with the same fields",
          want is not None and (instant(want).month, instant(want).day, instant(want).second, instant(want).year % 100)
          == (python_850.month, python_850.day, python_850.second, python_850.year % 100))
    requests.append("parse %d %s" % (now, rfc850.encode().hex()))
    expected.append((rfc850, want))
for (text, want), line in zip(expected, run(requests)):
    check(f"parse {text!r}: {line}, want {want}", line == "ok %d" % want)

# 3. Strictness: mutated dates, judged by the grammar above.
POOL = b" ,-:0123456789GMTgmtSunMonTueWedThuFriSatJanFebMarAprMayJunJulAugSepOctNovDecday\t\x00\xff"
texts, nows = [], []
for _ in range(4000):
    t = rng.randrange(YEAR_1, LAST + 1)
    now = min(max(t + rng.randrange(-60 * 366 * 86400, 60 * 366 * 86400), YEAR_1), LAST)
    good = bytearray(rng.choice(spellings(t)).encode())
    for _ in range(rng.randrange(1, 3)):
        kind = rng.randrange(6)
        i = rng.randrange(len(good) + 1)
        if kind == 0 and i < len(good):
            good[i] = rng.choice(POOL)
        elif kind == 1:
            good.insert(i, rng.choice(POOL))
        elif kind == 2 and i < len(good):
            del good[i]
        elif kind == 3 and i < len(good) and chr(good[i]).isalpha():
            good[i] ^= 0x20  # flip case
        elif kind == 4 and i < len(good) and chr(good[i]).isdigit():
            good[i] = ord(rng.choice("0123456789"))  # a digit for a digit: often a calendar error
        else:
            good = good[:i]
    texts.append(bytes(good))
    nows.append(now)
special = [b"Sat, 31 Dec 2016 23:59:60 GMT", b"Sat, 31 Dec 2016 23:58:60 GMT", b"Mon, 29 Feb 1900 00:00:00 GMT",
           b"Tue, 29 Feb 2000 00:00:00 GMT", b"Sat, 01 Jan 0000 00:00:00 GMT", b"Thu Feb 29 00:00:00 2024"]
texts += special
nows += [1700000000] * len(special)
accepted = 0
for text, now, line in zip(texts, nows, run(["parse %d %s" % (n, x.hex()) for x, n in zip(texts, nows)])):
    want = expected_parse(text, now)
    if want is None:
        parts = line.split()
        check(f"must reject {text!r}: {line}",
              parts[0] == "err" and int(parts[1]) == HTTP_INVALID_DATE and 0 <= int(parts[2]) <= len(text))
    else:
        accepted += 1
        check(f"must accept {text!r} at now={now}: {line}, want {want}", line == "ok %d" % want)
check(f"mutations give both outcomes ({accepted} of {len(texts)} accepted)", 100 < accepted < len(texts) - 100)

# 4. Retry-After: delay-seconds of any length, and dates relative to now, with optional whitespace.
requests, expected = [], []
for _ in range(2000):
    now = rng.randrange(0, 4 * 10**9)
    ows = lambda: "".join(rng.choice(" \t") for _ in range(rng.randrange(3)))
    if rng.randrange(2):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 25)))
        text, want = digits, min(int(digits), MAX_RETRY_AFTER)
    else:
        t = now + rng.randrange(-10**6, 10**6) if rng.randrange(4) else rng.randrange(YEAR_100, LAST + 1)
        text = rng.choice(spellings(t)[0::2])  # IMF-fixdate or asctime: their years do not depend on now
        want = min(max(t - now, 0), MAX_RETRY_AFTER)
    requests.append("retry_after %d %s" % (now, (ows() + text + ows()).encode().hex()))
    expected.append((text, want))
for (text, want), line in zip(expected, run(requests)):
    check(f"retry_after {text!r}: {line}, want {want}", line == "ok %d" % want)
for text in ["", " ", "-1", "+1", "1.5", "1 2", "0x10", "120s", "Sun, 06 Nov 1994 08:49:37 UTC"]:
    line = run(["retry_after 0 %s" % text.encode().hex()])[0]
    check(f"retry_after must reject {text!r}: {line}", line.split()[:2] == ["err", str(HTTP_INVALID_RETRY_AFTER)])

print(f"HTTP-date cross-check against Python {sys.version.split()[0]}: {failures} failures")
sys.exit(1 if failures else 0)
