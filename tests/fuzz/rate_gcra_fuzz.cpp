// libFuzzer target: rate::gcra (rate/gcra.hpp) under any sequence of acquire, peek, reserve, cancel and
// set_quota calls at any `now` of a clock's whole representation, jumping forwards and backwards, for clocks
// counting nanoseconds (int64), seconds (int64), microseconds (uint64), milliseconds (int32) and thirds of a
// second (int64: a period that is no power of ten). Runs with UBSan, so no conversion of time may overflow.
// Checks:
// - every decision is within bounds: limit = burst, remaining <= burst, wait, delay and reset_after between
//   0 and two windows (plus rounding); verdict::never exactly when cost > burst; a peek is allowed;
// - a request that is not allowed changes nothing (a peek at the same time sees the same), and an allowed
//   one takes exactly its cost from remaining;
// - however the clock jumps, the cost allowed since the start (or the last quota change) never exceeds what
//   the quota allows between the earliest and the latest time seen: the TAT only moves forward by what is
//   taken and never further than two windows past the latest time, so
//   taken <= (latest - first) * count / period + burst + 2, or 2 * burst once reservations (or a quota
//   change) may carry capacity beyond one window;
// - rate::keyed with one key, the second implementation of the same arithmetic, gives identical decisions
//   for acquire, peek and set_quota until a reservation is held (keyed has none).
//
// Input layout: byte 0 picks the clock, bytes 1-5 the quota (period, count, burst); then operations of 11
// bytes: kind, time mode (absolute, or a move from the last time), 8 bytes of time, cost; a quota change
// reads 5 more bytes of quota.
#include <keyward/rate/gcra.hpp>
#include <keyward/rate/keyed.hpp>

#include "fuzz_check.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <ratio>

namespace rate = keyward::rate;
using std::chrono::nanoseconds;

namespace {

__extension__ typedef __int128 int128;

template <class Rep, class Period>
struct test_clock {
  using rep = Rep;
  using period = Period;
  using duration = std::chrono::duration<Rep, Period>;
  using time_point = std::chrono::time_point<test_clock>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept { return time_point(duration(0)); }
};

using nano_clock = test_clock<std::int64_t, std::nano>;
using second_clock = test_clock<std::int64_t, std::ratio<1>>;
using unsigned_micro_clock = test_clock<std::uint64_t, std::micro>;
using narrow_milli_clock = test_clock<std::int32_t, std::milli>;
using third_clock = test_clock<std::int64_t, std::ratio<1, 3>>;

struct reader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t at = 0;
  bool empty() const { return at >= size; }
  std::uint8_t byte() { return at < size ? data[at++] : 0; }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(byte()) << (8 * i);
    return v;
  }
};

rate::quota read_quota(reader& in) {
  static constexpr std::int64_t periods[] = {1,           3,              1'000,          1'000'000,
                                             1'000'000'000, 60'000'000'000, 3'600'000'000'000, 86'400'000'000'000};
  const std::uint8_t shape = in.byte();
  const std::uint16_t count_bits = static_cast<std::uint16_t>(in.byte() | in.byte() << 8);
  const std::uint8_t burst_bits = in.byte();
  const std::uint8_t burst_scale = in.byte();
  rate::quota q;
  q.period = nanoseconds(periods[shape % 8]);
  q.count = 1 + count_bits % (shape & 0x80 ? 60000u : 10u);
  q.burst = std::uint64_t{1 + burst_bits % 100u} << (burst_scale % 48);  // up to ~2^54: some windows are out of range
  return q;
}

// The exact nanoseconds of a time point (no saturation: int128 holds every clock here).
template <class Clock>
int128 exact_ns(typename Clock::time_point t) {
  using ratio = std::ratio_divide<typename Clock::period, std::nano>;
  const int128 count = static_cast<int128>(t.time_since_epoch().count());
  const int128 scaled = count * ratio::num;
  int128 q = scaled / ratio::den;
  if (scaled % ratio::den != 0 && scaled < 0) --q;
  return q;
}

// A time point of the clock: absolute (any value of the representation) or moved from `last` by a small
// signed step, saturated at the ends of the representation.
template <class Clock>
typename Clock::time_point read_time(reader& in, typename Clock::time_point last) {
  using rep = typename Clock::rep;
  const std::uint8_t mode = in.byte();
  const std::uint64_t bits = in.u64();
  if (mode % 4 == 0) return typename Clock::time_point(typename Clock::duration(static_cast<rep>(bits)));
  // A move of up to +-2^(mode % 40) ticks, backwards for odd modes.
  const int128 magnitude = static_cast<int128>(bits & ((std::uint64_t{1} << (mode % 40)) - 1));
  int128 next = static_cast<int128>(last.time_since_epoch().count()) + ((mode & 1) != 0 ? -magnitude : magnitude);
  const int128 lo = static_cast<int128>((std::numeric_limits<rep>::min)());
  const int128 hi = static_cast<int128>((std::numeric_limits<rep>::max)());
  if (next < lo) next = lo;
  if (next > hi) next = hi;
  return typename Clock::time_point(typename Clock::duration(static_cast<rep>(next)));
}

bool same(const rate::decision& a, const rate::decision& b) {
  return a.outcome == b.outcome && a.limit == b.limit && a.remaining == b.remaining && a.wait == b.wait &&
         a.reset_after == b.reset_after;
}

// Two windows of `q` in nanoseconds, rounded up, plus the rounding the limiter may add.
int128 two_windows(const rate::quota& q) {
  const int128 period = q.period.count();
  return (2 * static_cast<int128>(q.burst) * period + q.count - 1) / q.count + 2;
}

void check_decision(const rate::decision& d, const rate::quota& q, std::uint64_t cost) {
  FUZZ_CHECK(d.limit == q.burst);
  FUZZ_CHECK(d.remaining <= q.burst);
  FUZZ_CHECK(d.wait.count() >= 0 && d.wait.count() <= two_windows(q));
  FUZZ_CHECK(d.reset_after.count() >= 0 && d.reset_after.count() <= two_windows(q));
  FUZZ_CHECK((d.outcome == rate::verdict::never) == (cost > q.burst));
  if (d.outcome != rate::verdict::denied) FUZZ_CHECK(d.wait.count() == 0);
}

template <class Clock>
void run(reader& in) {
  using time_point = typename Clock::time_point;
  rate::quota q = read_quota(in);
  auto made = rate::gcra<Clock>::make(q);
  auto made_keyed = rate::keyed<std::uint64_t, std::hash<std::uint64_t>, Clock>::make(q, 4);
  FUZZ_CHECK(made.has_value() == made_keyed.has_value());
  if (!made) return;
  auto& limiter = *made;
  auto& keyed = *made_keyed;
  constexpr std::uint64_t key = 42;
  bool compare_keyed = true;  // until a reservation is held

  // Accounting for the bound on what is allowed: costs taken since `first`, the time (in nanoseconds) of the
  // first request that took something, or of the last quota change; the latest time seen since.
  std::optional<int128> first;
  int128 latest = 0;
  int128 taken = 0;
  bool reserved = false;  // whether reservations may hold capacity beyond the window
  bool rebased = false;   // whether the quota was changed while the limiter held something
  std::optional<rate::reservation> held;
  std::uint64_t held_cost = 0;

  time_point last{};
  int operations = 0;
  while (!in.empty() && operations++ < 256) {
    const std::uint8_t kind = in.byte();
    const time_point now = read_time<Clock>(in, last);
    last = now;
    const std::uint8_t cost_bits = in.byte();
    const std::uint64_t cost = cost_bits < 200 ? cost_bits % 4 : q.burst + (cost_bits & 1) - 1 + (cost_bits >> 7);
    const int128 ns = exact_ns<Clock>(now);
    if (first && ns > latest) latest = ns;

    switch (kind % 6) {
      case 0: {  // acquire
        const rate::decision before = limiter.peek(now);
        const rate::decision d = limiter.acquire(now, cost);
        check_decision(d, q, cost);
        check_decision(before, q, 0);
        FUZZ_CHECK(before.outcome == rate::verdict::allowed);
        if (compare_keyed) {
          const auto k = keyed.acquire(key, now, cost);
          FUZZ_CHECK(k.has_value() && same(*k, d));
        }
        if (d.allowed()) {
          FUZZ_CHECK(d.remaining == (cost <= before.remaining ? before.remaining - cost : 0));
          if (!reserved) FUZZ_CHECK(cost <= before.remaining);
          if (!first && cost > 0) latest = *(first = ns);
          taken += cost;
        } else {
          FUZZ_CHECK(same(limiter.peek(now), before));
        }
        break;
      }
      case 1: {  // peek and is_fresh
        const rate::decision d = limiter.peek(now);
        check_decision(d, q, 0);
        FUZZ_CHECK(d.allowed());
        FUZZ_CHECK(limiter.is_fresh(now) == (d.reset_after.count() == 0));
        if (compare_keyed) FUZZ_CHECK(same(keyed.peek(key, now), d));
        break;
      }
      case 2: {  // reserve
        const rate::decision before = limiter.peek(now);
        rate::reservation r = limiter.reserve(now, cost);
        FUZZ_CHECK((r.outcome == rate::verdict::never) == (cost > q.burst));
        FUZZ_CHECK(r.delay.count() >= 0 && r.delay.count() <= two_windows(q));
        FUZZ_CHECK(r.wait.count() >= 0 && r.wait.count() <= two_windows(q));
        if (r.allowed() && cost > 0) {
          compare_keyed = false;
          reserved = true;
          if (!first && cost > 0) latest = *(first = ns);
          taken += cost;
          held = r;
          held_cost = cost;
        } else if (!r.allowed()) {
          FUZZ_CHECK(same(limiter.peek(now), before));
        }
        break;
      }
      case 3: {  // cancel the last reservation
        if (held) {
          if (limiter.cancel(*held)) {
            taken -= held_cost;
            // Nothing else taken: the limiter is back to never used, and counts from its next request.
            if (taken == 0 && !rebased) first.reset();
          }
          FUZZ_CHECK(!limiter.cancel(*held));
          held.reset();
        }
        break;
      }
      case 4: {  // set_quota
        const rate::quota next = read_quota(in);
        const auto changed = limiter.set_quota(next, now);
        if (compare_keyed) FUZZ_CHECK(keyed.set_quota(next, now).has_value() == changed.has_value());
        if (changed) {
          q = next;
          FUZZ_CHECK(limiter.current_quota() == q);
          // A used state is rebased at `now` (or later, for a clock gone back): count from there. A limiter
          // never used stays so.
          if (first) {
            first = ns;
            latest = ns;
            taken = 0;
            reserved = true;  // kept reservations may reach beyond the new window
            rebased = true;
          }
          held.reset();
        } else {
          FUZZ_CHECK(limiter.current_quota() == q);
        }
        break;
      }
      default: {  // a jump of the clock only
        break;
      }
    }
    if (first) {
      const int128 span = latest - *first;
      const int128 refill = span * static_cast<int128>(q.count) / q.period.count();
      FUZZ_CHECK(taken <= refill + (reserved ? 2 : 1) * static_cast<int128>(q.burst) + 2);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reader in{data, size};
  switch (in.byte() % 5) {
    case 0: run<nano_clock>(in); break;
    case 1: run<second_clock>(in); break;
    case 2: run<unsigned_micro_clock>(in); break;
    case 3: run<narrow_milli_clock>(in); break;
    default: run<third_clock>(in); break;
  }
  return 0;
}
