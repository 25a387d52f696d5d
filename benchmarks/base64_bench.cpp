// keyward benchmarks: Base64 encoding and decoding by keyward and by the peers found at build time
// (OpenSSL, libsodium, Boost.Beast), side by side. Every case cycles through a pool of distinct random
// inputs; every library's output on the whole pool is checked against a reference before anything is timed.
// Benchmark names are <encode|decode>/<library>/<raw size in bytes | mix>; benchmarks/report.py reads them.

#include <keyward/base64.hpp>
#include <keyward/kernels.hpp>

#include <benchmark/benchmark.h>

#if KEYWARD_BENCH_OPENSSL
#include <openssl/evp.h>
#endif
#if KEYWARD_BENCH_SODIUM
#include <sodium.h>
#endif
#if KEYWARD_BENCH_BEAST
#include <boost/beast/core/detail/base64.hpp>
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

/// What an adapter returns when the library reports a failure.
constexpr std::size_t failed = std::numeric_limits<std::size_t>::max();

// ---------------------------------------------------------------------------------------------------------
// Adapters: one struct per library, the same two static calls, written the way a careful user would call
// that library (the result is checked, the length corrected where the library needs it). All encode the
// standard alphabet with '=' padding.

struct keyward_lib {
  static constexpr const char* name = "keyward";
  static std::size_t encode(const std::uint8_t* in, std::size_t size, char* out, std::size_t capacity) {
    return keyward::base64::write_encoded(in, size, out, capacity).value_or(failed);
  }
  static std::size_t decode(const char* in, std::size_t length, std::uint8_t* out, std::size_t capacity) {
    return keyward::base64::write_decoded(std::string_view(in, length), out, capacity).value_or(failed);
  }
};

// The same with timing::constant (base64::standard_ct), the form for secrets: library "keyward-ct".
struct keyward_ct_lib {
  static constexpr const char* name = "keyward-ct";
  static std::size_t encode(const std::uint8_t* in, std::size_t size, char* out, std::size_t capacity) {
    return keyward::base64::write_encoded(in, size, out, capacity, keyward::base64::standard_ct).value_or(failed);
  }
  static std::size_t decode(const char* in, std::size_t length, std::uint8_t* out, std::size_t capacity) {
    return keyward::base64::write_decoded(std::string_view(in, length), out, capacity, keyward::base64::standard_ct)
        .value_or(failed);
  }
};

#if KEYWARD_BENCH_OPENSSL
// EVP_EncodeBlock writes a terminating NUL; EVP_DecodeBlock counts the bytes that padding stands for.
struct openssl_lib {
  static constexpr const char* name = "openssl";
  static std::size_t encode(const std::uint8_t* in, std::size_t size, char* out, std::size_t) {
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out), in, static_cast<int>(size));
    return static_cast<std::size_t>(written);
  }
  static std::size_t decode(const char* in, std::size_t length, std::uint8_t* out, std::size_t) {
    const int written =
        EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(in), static_cast<int>(length));
    if (written < 0) return failed;
    std::size_t size = static_cast<std::size_t>(written);
    if (length >= 2) size -= std::size_t{in[length - 1] == '='} + std::size_t{in[length - 2] == '='};
    return size;
  }
};
#endif

#if KEYWARD_BENCH_SODIUM
// sodium_bin2base64 writes a terminating NUL, so it needs one more byte of room than the text.
struct sodium_lib {
  static constexpr const char* name = "sodium";
  static std::size_t encode(const std::uint8_t* in, std::size_t size, char* out, std::size_t capacity) {
    if (sodium_bin2base64(out, capacity, in, size, sodium_base64_VARIANT_ORIGINAL) == nullptr) return failed;
    return sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL) - 1;
  }
  static std::size_t decode(const char* in, std::size_t length, std::uint8_t* out, std::size_t capacity) {
    std::size_t size = 0;
    if (sodium_base642bin(out, capacity, in, length, nullptr, &size, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
      return failed;
    return size;
  }
};
#endif

#if KEYWARD_BENCH_BEAST
// Beast's decoder stops at the first '=' or invalid character; it reports how far it read.
struct beast_lib {
  static constexpr const char* name = "beast";
  static std::size_t encode(const std::uint8_t* in, std::size_t size, char* out, std::size_t) {
    return boost::beast::detail::base64::encode(out, in, size);
  }
  static std::size_t decode(const char* in, std::size_t length, std::uint8_t* out, std::size_t) {
    return boost::beast::detail::base64::decode(out, in, length).first;
  }
};
#endif

// ---------------------------------------------------------------------------------------------------------
// Input pools.

/// An independent, obviously correct encoder that produces the expected texts.
std::string reference_encode(const std::uint8_t* data, std::size_t size) {
  static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  for (std::size_t i = 0; i < size; i += 3) {
    const std::size_t take = size - i < 3 ? size - i : 3;
    std::uint32_t group = std::uint32_t{data[i]} << 16;
    if (take > 1) group |= std::uint32_t{data[i + 1]} << 8;
    if (take > 2) group |= data[i + 2];
    for (std::size_t k = 0; k < 4; ++k) text += k <= take ? chars[(group >> (18 - 6 * k)) & 63] : '=';
  }
  return text;
}

/// One input: raw bytes and their padded standard encoding, both inside a pool's storage.
struct sample {
  const std::uint8_t* raw;
  const char* text;
  std::size_t raw_size;
  std::size_t text_size;
};

/// Distinct random inputs stored back to back, with their encodings.
struct pool {
  std::string label;  ///< the last part of the benchmark names: the raw size, or "mix"
  std::vector<std::uint8_t> raw;
  std::vector<char> text;  // a vector, not a string: moving the pool keeps the samples' pointers valid
  std::vector<sample> samples;
  std::size_t max_raw = 0;
  std::size_t max_text = 0;
};

/// A pool of inputs whose raw sizes are drawn by `next_size`, at least `min_count` of them and enough to
/// reach `min_total` raw bytes.
template <class NextSize>
pool make_pool(std::string label, std::size_t min_count, std::size_t min_total, NextSize next_size,
               std::mt19937_64& rng) {
  pool p;
  p.label = std::move(label);
  std::vector<std::size_t> sizes;
  std::size_t total = 0;
  while (sizes.size() < min_count || total < min_total) {
    sizes.push_back(next_size());
    total += sizes.back();
  }
  p.raw.resize(total);
  for (auto& byte : p.raw) byte = static_cast<std::uint8_t>(rng());
  std::vector<std::size_t> text_offsets;
  std::size_t offset = 0;
  for (const std::size_t size : sizes) {
    text_offsets.push_back(p.text.size());
    const std::string text = reference_encode(p.raw.data() + offset, size);
    p.text.insert(p.text.end(), text.begin(), text.end());
    offset += size;
  }
  offset = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::size_t text_size = (i + 1 < sizes.size() ? text_offsets[i + 1] : p.text.size()) - text_offsets[i];
    p.samples.push_back({p.raw.data() + offset, p.text.data() + text_offsets[i], sizes[i], text_size});
    p.max_raw = std::max(p.max_raw, sizes[i]);
    p.max_text = std::max(p.max_text, text_size);
    offset += sizes[i];
  }
  return p;
}

/// Output room for any library: encoders may add a NUL, OpenSSL's decoder writes the bytes padding stands for.
std::size_t text_room(const pool& p) { return p.max_text + 1; }
std::size_t raw_room(const pool& p) { return p.max_raw + 3; }

// ---------------------------------------------------------------------------------------------------------
// Setup check: every library encodes every input of every pool to the reference text and decodes it back.

template <class Lib>
bool check_library(const std::vector<pool>& pools) {
  bool ok = true;
  for (const pool& p : pools) {
    std::vector<char> text(text_room(p));
    std::vector<std::uint8_t> raw(raw_room(p));
    std::size_t bad_encodes = 0;
    std::size_t bad_decodes = 0;
    for (const sample& s : p.samples) {
      const std::size_t length = Lib::encode(s.raw, s.raw_size, text.data(), text.size());
      if (length != s.text_size || std::memcmp(text.data(), s.text, s.text_size) != 0) ++bad_encodes;
      const std::size_t size = Lib::decode(s.text, s.text_size, raw.data(), raw.size());
      if (size != s.raw_size || std::memcmp(raw.data(), s.raw, s.raw_size) != 0) ++bad_decodes;
    }
    if (bad_encodes != 0 || bad_decodes != 0) {
      std::fprintf(stderr, "%s, pool %s: %zu of %zu encodings and %zu decodings are wrong\n", Lib::name,
                   p.label.c_str(), bad_encodes, p.samples.size(), bad_decodes);
      ok = false;
    }
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------------------
// The timed loops. Each iteration handles the next input of the pool, wrapping around at the end.
//
// DoNotOptimize is only ever given const objects: Google Benchmark 1.7's overload for a non-const lvalue
// uses the in-out constraint "+m,r", with which GCC 12 -O3 passed an uninitialized stack slot as the output
// pointer here (a crash). The const overload is an input operand with a memory clobber: the pointer escapes,
// and ClobberMemory after each call makes every store to the output happen.

template <class Lib>
void encode_bench(benchmark::State& state, const pool* p) {
  std::vector<char> buffer(text_room(*p));
  char* const out = buffer.data();
  const std::size_t capacity = buffer.size();
  benchmark::DoNotOptimize(out);
  const sample* const first = p->samples.data();
  const sample* const last = first + p->samples.size();
  const sample* s = first;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::size_t length = Lib::encode(s->raw, s->raw_size, out, capacity);
    benchmark::DoNotOptimize(length);
    benchmark::ClobberMemory();
    bytes += static_cast<std::int64_t>(s->raw_size);
    if (++s == last) s = first;
  }
  state.SetBytesProcessed(bytes);
}

template <class Lib>
void decode_bench(benchmark::State& state, const pool* p) {
  std::vector<std::uint8_t> buffer(raw_room(*p));
  std::uint8_t* const out = buffer.data();
  const std::size_t capacity = buffer.size();
  benchmark::DoNotOptimize(out);
  const sample* const first = p->samples.data();
  const sample* const last = first + p->samples.size();
  const sample* s = first;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::size_t size = Lib::decode(s->text, s->text_size, out, capacity);
    benchmark::DoNotOptimize(size);
    benchmark::ClobberMemory();
    bytes += static_cast<std::int64_t>(s->raw_size);  // raw bytes, as for encoding: GB/s compare directly
    if (++s == last) s = first;
  }
  state.SetBytesProcessed(bytes);
}

template <class Lib>
bool register_library(const std::vector<pool>& pools) {
  if (!check_library<Lib>(pools)) return false;
  for (const pool& p : pools) {
    benchmark::RegisterBenchmark(("encode/" + std::string(Lib::name) + "/" + p.label).c_str(), encode_bench<Lib>, &p);
    benchmark::RegisterBenchmark(("decode/" + std::string(Lib::name) + "/" + p.label).c_str(), decode_bench<Lib>, &p);
  }
  return true;
}

// keyward (Lib: keyward_lib or keyward_ct_lib) with its run-time dispatch restricted to one kernel (scalar,
// AVX2, AVX-512 VBMI), registered as library "<Lib::name>-<kernel>" beside plain "<Lib::name>" (the kernel
// production dispatch picks). A kernel this CPU lacks is left out, with a note.
template <class Lib>
bool register_keyward_kernel(const std::string& kernel, keyward::kernels::kernel allowed,
                             const std::vector<pool>& pools) {
  const std::string library = std::string(Lib::name) + "-" + kernel;
  if (!keyward::kernels::available(allowed)) {
    std::fprintf(stderr, "note: this CPU has no %s kernel; %s is not benchmarked\n", kernel.c_str(),
                 library.c_str());
    return true;
  }
  {
    const keyward::kernels::scoped_force forced(allowed);
    if (!check_library<Lib>(pools)) return false;
  }
  for (const pool& p : pools) {
    const pool* const input = &p;
    benchmark::RegisterBenchmark(("encode/" + library + "/" + p.label).c_str(),
                                 [allowed, input](benchmark::State& state) {
                                   const keyward::kernels::scoped_force forced(allowed);
                                   encode_bench<Lib>(state, input);
                                 });
    benchmark::RegisterBenchmark(("decode/" + library + "/" + p.label).c_str(),
                                 [allowed, input](benchmark::State& state) {
                                   const keyward::kernels::scoped_force forced(allowed);
                                   decode_bench<Lib>(state, input);
                                 });
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
#if KEYWARD_BENCH_SODIUM
  if (sodium_init() < 0) {
    std::fprintf(stderr, "sodium_init failed\n");
    return 1;
  }
#endif

  // Fixed sizes: enough distinct inputs for 2 MiB of raw data (at least two of them); then the header mix,
  // 4096 inputs of 16 to 256 bytes, as Authorization values and API keys are.
  constexpr std::size_t fixed_sizes[] = {16, 32, 64, 128, 256, 1024, 65536, 1048576};
  constexpr std::size_t pool_bytes = std::size_t{2} << 20;
  std::mt19937_64 rng(20240601);
  std::vector<pool> pools;
  pools.reserve(std::size(fixed_sizes) + 1);  // the benchmarks keep pointers to the pools
  for (const std::size_t size : fixed_sizes) {
    pools.push_back(make_pool(std::to_string(size), 2, pool_bytes, [size] { return size; }, rng));
  }
  std::uniform_int_distribution<std::size_t> header_size(16, 256);
  pools.push_back(make_pool("mix", 4096, 0, [&] { return header_size(rng); }, rng));

  bool ok = register_library<keyward_lib>(pools);
  ok = register_library<keyward_ct_lib>(pools) && ok;
  using keyward::kernels::kernel;
  ok = register_keyward_kernel<keyward_lib>("scalar", kernel::scalar, pools) && ok;
  ok = register_keyward_kernel<keyward_lib>("avx2", kernel::avx2, pools) && ok;
  ok = register_keyward_kernel<keyward_lib>("avx512vbmi", kernel::avx512vbmi, pools) && ok;
  ok = register_keyward_kernel<keyward_ct_lib>("scalar", kernel::scalar, pools) && ok;
  ok = register_keyward_kernel<keyward_ct_lib>("avx2", kernel::avx2, pools) && ok;
  ok = register_keyward_kernel<keyward_ct_lib>("avx512vbmi", kernel::avx512vbmi, pools) && ok;
#if KEYWARD_BENCH_OPENSSL
  ok = register_library<openssl_lib>(pools) && ok;
#endif
#if KEYWARD_BENCH_SODIUM
  ok = register_library<sodium_lib>(pools) && ok;
#endif
#if KEYWARD_BENCH_BEAST
  ok = register_library<beast_lib>(pools) && ok;
#endif
  if (!ok) {
    std::fprintf(stderr, "a library gave wrong results on the input pools: nothing timed\n");
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
