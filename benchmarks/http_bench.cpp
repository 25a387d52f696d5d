// keyward benchmarks: HTTP authentication. Parsing and building Basic and Bearer Authorization values, and
// parsing a WWW-Authenticate value, by keyward and by the peers found at build time (Poco, cpp-httplib), side
// by side. Every case cycles through a pool of distinct random inputs; every benchmark first checks its
// library's output on the whole pool against independently made expectations and stops with SkipWithError
// when one is wrong. Global operator new is replaced to count allocations: every benchmark reports `allocs`,
// the allocations per call. Benchmark names are <operation>/<library>/<case>.

#include <keyward/crypto/hmac.hpp>
#include <keyward/http/basic.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/http/challenge.hpp>

#include <benchmark/benchmark.h>

#if KEYWARD_BENCH_POCO
#include <Poco/Exception.h>
#include <Poco/Net/HTTPAuthenticationParams.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/OAuth20Credentials.h>
#endif
#if KEYWARD_BENCH_HTTPLIB
#include <httplib.h>

namespace httplib {
// Public in upstream's single header (0.11.4 defines it in namespace httplib); Debian's split httplib.h
// leaves the declaration out, libcpp-httplib exports the function.
std::pair<std::string, std::string> make_bearer_token_authentication_header(const std::string& token,
                                                                            bool is_proxy);
}  // namespace httplib
#endif

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// ---------------------------------------------------------------------------------------------------------
// Allocation counter: every allocation of the process goes through these replacements (shared libraries
// included, through symbol interposition). Thread-local so that counting costs no atomic operation.

namespace {
thread_local std::uint64_t allocations = 0;

void* counted_allocation(std::size_t size) {
  ++allocations;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

void* counted_aligned_allocation(std::size_t size, std::align_val_t alignment) {
  ++allocations;
  const auto align = static_cast<std::size_t>(alignment);
  const std::size_t rounded = (size + align - 1) / align * align;
  if (void* memory = std::aligned_alloc(align, rounded == 0 ? align : rounded)) return memory;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) { return counted_allocation(size); }
void* operator new[](std::size_t size) { return counted_allocation(size); }
void* operator new(std::size_t size, std::align_val_t alignment) { return counted_aligned_allocation(size, alignment); }
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return counted_aligned_allocation(size, alignment);
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }

namespace {

// ---------------------------------------------------------------------------------------------------------
// Inputs, made without keyward: a reference Base64 encoder, random API keys, tokens and HS256 JWTs.

/// Distinct inputs per pool: enough that branch predictors and caches cannot learn one input.
constexpr std::size_t pool_size = 512;

/// An obviously correct Base64 encoder (RFC 4648 section 4, or section 5 without padding when `url`).
std::string reference_base64(std::string_view bytes, bool url = false) {
  const char* const chars = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t take = bytes.size() - i < 3 ? bytes.size() - i : 3;
    std::uint32_t group = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (take > 1) group |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    if (take > 2) group |= static_cast<unsigned char>(bytes[i + 2]);
    for (std::size_t k = 0; k < 4; ++k) {
      if (k <= take) {
        text += chars[(group >> (18 - 6 * k)) & 63];
      } else if (!url) {
        text += '=';
      }
    }
  }
  return text;
}

std::string random_base62(std::mt19937_64& rng, std::size_t length) {
  static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<std::size_t> pick(0, 61);
  std::string text;
  for (std::size_t i = 0; i < length; ++i) text += chars[pick(rng)];
  return text;
}

/// An HS256 JWT (RFC 7519) of exactly 300 characters: a 36-character header, a 164-byte claims set
/// (219 characters of base64url: 164 * 4 / 3 = 218.7, rounded up) and a 32-byte HMAC-SHA256 signature
/// (43 characters): 36 + 1 + 219 + 1 + 43 = 300.
std::string random_jwt(std::mt19937_64& rng, std::uint64_t issued_at) {
  const std::string header = reference_base64(R"({"alg":"HS256","typ":"JWT"})", true);
  const std::string claims = R"({"sub":"usr_)" + random_base62(rng, 12) +
                             R"(","iss":"https://auth.example.com/","aud":"api.example.com","iat":)" +
                             std::to_string(issued_at) + R"(,"exp":)" + std::to_string(issued_at + 3600) +
                             R"(,"scope":"read write","jti":")" + random_base62(rng, 16) + R"("})";
  const std::string signing_input = header + "." + reference_base64(claims, true);
  const auto signature = keyward::crypto::hmac_sha256::compute("benchmark signing key", signing_input);
  return signing_input + "." +
         reference_base64(std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()), true);
}

/// The inputs of one Bearer case: tokens and the Authorization values that carry them.
struct bearer_pool {
  std::string label;  ///< the case in the benchmark names
  std::vector<std::string> tokens;
  std::vector<std::string> values;  ///< "Bearer " + token
};

/// Every input the benchmarks use, built once.
struct inputs {
  std::vector<std::string> api_keys;      ///< "sk_live_" + 24 base62 characters
  std::vector<std::string> basic_infos;   ///< base64(key ":"), Poco's "auth info"
  std::vector<std::string> basic_values;  ///< "Basic " + base64(key ":")
  std::vector<bearer_pool> bearers;       ///< 40-character tokens and 300-character JWTs
  std::string empty;                      ///< the API keys' password, for the peers that take a std::string
};

inputs make_inputs() {
  std::mt19937_64 rng(20241123);
  inputs in;
  bearer_pool tokens{"token40", {}, {}};
  bearer_pool jwts{"jwt300", {}, {}};
  std::uniform_int_distribution<std::uint64_t> issued_at(1700000000, 1800000000);
  for (std::size_t i = 0; i < pool_size; ++i) {
    in.api_keys.push_back("sk_live_" + random_base62(rng, 24));
    in.basic_infos.push_back(reference_base64(in.api_keys.back() + ":"));
    in.basic_values.push_back("Basic " + in.basic_infos.back());
    tokens.tokens.push_back(random_base62(rng, 40));
    jwts.tokens.push_back(random_jwt(rng, issued_at(rng)));
  }
  for (bearer_pool* pool : {&tokens, &jwts}) {
    for (const std::string& token : pool->tokens) pool->values.push_back("Bearer " + token);
  }
  in.bearers.push_back(std::move(tokens));
  in.bearers.push_back(std::move(jwts));
  return in;
}

/// WWW-Authenticate values of one shape (RFC 9110 section 11.6.1: several challenges in one value, separated
/// by commas like their auth-params), each with a random realm, and what parsing must find in them.
struct challenge_pool {
  std::string label;  ///< the case in the benchmark names
  std::vector<std::pair<std::string, std::size_t>> shape;  ///< each challenge's scheme and auth-param count
  std::vector<std::string> values;
  std::vector<std::string> realms;       ///< the realm of every challenge of values[i]
  std::vector<std::string> last_values;  ///< the last auth-param of values[i], quoted-pairs resolved
  /// The auth-params of each challenge of values[i] as separate texts, schemes removed (what Poco's
  /// HTTPAuthenticationParams(authInfo) reads); filled for the shapes Poco is compared on.
  std::vector<std::vector<std::string>> auth_infos;
  keyward::http::limits limit{};         ///< what parse_challenges is given
};

/// Fewer inputs for the 8 KB cases: 64 of them already overflow the L1 cache as 512 short ones do.
constexpr std::size_t long_pool_size = 64;

/// `Newauth realm="<realm>", p1="<7 base62>", ..., p<params - 1>="<7 base62>"`, `challenges` times.
std::string hostile_value(std::mt19937_64& rng, const std::string& realm, std::size_t challenges,
                          std::size_t params, std::string& last_value) {
  std::string value;
  for (std::size_t c = 0; c < challenges; ++c) {
    value += (c == 0 ? "" : ", ") + std::string("Newauth realm=\"") + realm + "\"";
    for (std::size_t p = 1; p < params; ++p) {
      last_value = random_base62(rng, 7);
      value += ", p" + std::to_string(p) + "=\"" + last_value + "\"";
    }
  }
  return value;
}

std::vector<challenge_pool> make_challenge_pools() {
  std::mt19937_64 rng(20241124);
  std::uniform_int_distribution<std::size_t> realm_size(3, 12);
  challenge_pool three{"three", {{"Basic", 2}, {"Bearer", 3}, {"Newauth", 3}}, {}, {}, {}, {}};
  challenge_pool basic{"basic", {{"Basic", 2}}, {}, {}, {}, {}};
  for (std::size_t i = 0; i < pool_size; ++i) {
    const std::string realm = random_base62(rng, realm_size(rng));
    const std::string basic_params = R"(realm=")" + realm + R"(", charset="UTF-8")";
    const std::string bearer_params =
        R"(realm=")" + realm + R"(", error="invalid_token", error_description="The access token expired")";
    const std::string newauth_params = R"(realm=")" + realm + R"(", type=1, title="Login to \")" + realm + R"(\"")";
    three.values.push_back("Basic " + basic_params + ", Bearer " + bearer_params + ", Newauth " + newauth_params);
    three.realms.push_back(realm);
    three.last_values.push_back("Login to \"" + realm + "\"");
    three.auth_infos.push_back({basic_params, bearer_params, newauth_params});
    basic.values.push_back("Basic " + basic_params);
    basic.realms.push_back(realm);
    basic.last_values.push_back("UTF-8");
    basic.auth_infos.push_back({basic_params});
  }
  // Hostile shapes (issue 11, finding 5): as many distinct names as the default limits let in, 16 challenges of
  // 32 auth-params (about 7.9 KB, against the 8 KB default limit); and one challenge of 256 auth-params, the
  // ceiling of limits::max_parameters, parsed with raised limits.
  challenge_pool hostile{"hostile8k", std::vector<std::pair<std::string, std::size_t>>(16, {"Newauth", 32}),
                         {}, {}, {}, {}};
  challenge_pool ceiling{"ceiling256", {{"Newauth", 256}}, {}, {}, {}, {}};
  ceiling.limit.max_length = 1 << 20;
  ceiling.limit.max_parameters = keyward::http::limits::max_parameters_ceiling;
  for (std::size_t i = 0; i < long_pool_size; ++i) {
    const std::string realm = random_base62(rng, 8);
    for (challenge_pool* pool : {&hostile, &ceiling}) {
      std::string last_value;
      pool->values.push_back(hostile_value(rng, realm, pool->shape.size(), pool->shape.front().second, last_value));
      pool->realms.push_back(realm);
      pool->last_values.push_back(last_value);
    }
  }
  return {std::move(three), std::move(basic), std::move(hostile), std::move(ceiling)};
}

/// Bearer values as long as the hostile8k challenges (the first one's length), for the row beside them.
bearer_pool same_length_bearers(const challenge_pool& hostile) {
  std::mt19937_64 rng(20241125);
  bearer_pool pool{"hostile8k_length", {}, {}};
  for (std::size_t i = 0; i < long_pool_size; ++i) {
    pool.tokens.push_back(random_base62(rng, hostile.values.front().size() - 7));
    pool.values.push_back("Bearer " + pool.tokens.back());
  }
  return pool;
}

// ---------------------------------------------------------------------------------------------------------
// The driver. `check(i)` must hold for every input of the pool before anything is timed; then `call(i)` runs
// once per iteration on the next input, wrapping around. DoNotOptimize is only ever given const objects
// (Google Benchmark 1.7 + GCC 12, see base64_bench.cpp); ClobberMemory makes every store happen.

template <class Check, class Call>
void run(benchmark::State& state, std::size_t count, Check check, Call call) {
  for (std::size_t i = 0; i < count; ++i) {
    if (!check(i)) {
      state.SkipWithError("wrong result on the input pool");
      return;
    }
  }
  const std::uint64_t before = allocations;
  std::size_t i = 0;
  for (auto _ : state) {
    call(i);
    benchmark::ClobberMemory();
    if (++i == count) i = 0;
  }
  state.counters["allocs"] =
      benchmark::Counter(static_cast<double>(allocations - before), benchmark::Counter::kAvgIterations);
}

/// Registers `function(state, args...)` as <operation>/<library>/<case>.
template <class Function, class... Args>
void add(const std::string& operation, const std::string& library, const std::string& label, Function function,
         Args... args) {
  benchmark::RegisterBenchmark((operation + "/" + library + "/" + label).c_str(),
                               [=](benchmark::State& state) { function(state, args...); });
}

// ---------------------------------------------------------------------------------------------------------
// keyward

/// Room for the decoded user-pass of every API-key value: 8 + 24 + 1 bytes.
using basic_room = keyward::http::basic_buffer<64>;

void parse_basic_keyward(benchmark::State& state, const inputs* in) {
  basic_room buffer;
  run(
      state, pool_size,
      [&](std::size_t i) {
        const auto parsed = keyward::http::parse_basic(in->basic_values[i], buffer);
        return parsed && parsed->user == in->api_keys[i] && parsed->password.empty();
      },
      [&](std::size_t i) {
        const auto parsed = keyward::http::parse_basic(in->basic_values[i], buffer);
        benchmark::DoNotOptimize(parsed);
      });
}

void parse_bearer_keyward(benchmark::State& state, const bearer_pool* pool) {
  run(
      state, pool->values.size(),
      [&](std::size_t i) {
        const auto token = keyward::http::parse_bearer(pool->values[i]);
        return token && *token == pool->tokens[i];
      },
      [&](std::size_t i) {
        const auto token = keyward::http::parse_bearer(pool->values[i]);
        benchmark::DoNotOptimize(token);
      });
}

void build_basic_keyward(benchmark::State& state, const inputs* in) {
  char out[keyward::http::basic_size(32, 0)];
  run(
      state, pool_size,
      [&](std::size_t i) {
        const auto size = keyward::http::write_basic(in->api_keys[i], {}, out, sizeof out);
        return size && std::string_view(out, *size) == in->basic_values[i];
      },
      [&](std::size_t i) {
        const auto size = keyward::http::write_basic(in->api_keys[i], {}, out, sizeof out);
        benchmark::DoNotOptimize(size);
      });
}

void build_basic_keyward_string(benchmark::State& state, const inputs* in) {
  run(
      state, pool_size,
      [&](std::size_t i) {
        const auto value = keyward::http::basic_api_key(in->api_keys[i]);
        return value && *value == in->basic_values[i];
      },
      [&](std::size_t i) {
        const auto value = keyward::http::basic_api_key(in->api_keys[i]);
        benchmark::DoNotOptimize(value);
      });
}

void build_bearer_keyward(benchmark::State& state, const bearer_pool* pool) {
  char out[keyward::http::bearer_size(300)];
  run(
      state, pool_size,
      [&](std::size_t i) {
        const auto size = keyward::http::write_bearer(pool->tokens[i], out, sizeof out);
        return size && std::string_view(out, *size) == pool->values[i];
      },
      [&](std::size_t i) {
        const auto size = keyward::http::write_bearer(pool->tokens[i], out, sizeof out);
        benchmark::DoNotOptimize(size);
      });
}

void build_bearer_keyward_string(benchmark::State& state, const bearer_pool* pool) {
  run(
      state, pool_size,
      [&](std::size_t i) {
        const auto value = keyward::http::bearer(pool->tokens[i]);
        return value && *value == pool->values[i];
      },
      [&](std::size_t i) {
        const auto value = keyward::http::bearer(pool->tokens[i]);
        benchmark::DoNotOptimize(value);
      });
}

/// True when `challenges` has the pool's shape, every realm is `realm` and the last auth-param is `last_value`.
bool challenges_match(const keyward::http::challenge_list& challenges, const challenge_pool& pool,
                      const std::string& realm, const std::string& last_value) {
  if (challenges.size() != pool.shape.size()) return false;
  std::size_t index = 0;
  std::string value;
  for (const keyward::http::challenge& challenge : challenges) {
    const auto& [scheme, count] = pool.shape[index++];
    const auto realm_param = challenge.params.find("realm");
    if (challenge.scheme != scheme || challenge.params.size() != count || !realm_param ||
        realm_param->value() != realm) {
      return false;
    }
    std::size_t seen = 0;
    for (const keyward::http::auth_param& param : challenge.params) {
      value = param.value();
      ++seen;
    }
    if (seen != count) return false;
  }
  return value == last_value;
}

/// Parses the value and visits every challenge and every auth-param (keyward parses lazily: the visit is part
/// of the work a caller does, and what Poco does while filling its collection).
void parse_challenges_keyward(benchmark::State& state, const challenge_pool* pool) {
  run(
      state, pool->values.size(),
      [&](std::size_t i) {
        const auto challenges = keyward::http::parse_challenges(pool->values[i], pool->limit);
        return challenges && challenges_match(*challenges, *pool, pool->realms[i], pool->last_values[i]);
      },
      [&](std::size_t i) {
        const auto challenges = keyward::http::parse_challenges(pool->values[i], pool->limit);
        std::size_t sizes = 0;
        if (challenges) {
          for (const keyward::http::challenge& challenge : *challenges) {
            sizes += challenge.scheme.size();
            for (const keyward::http::auth_param& param : challenge.params) {
              sizes += param.name().size() + param.raw_value().size();
            }
          }
        }
        benchmark::DoNotOptimize(sizes);
      });
}

/// Parses the value without visiting it: the validation every parse_challenges call does, what a Bearer
/// parse is compared with.
void parse_challenges_only_keyward(benchmark::State& state, const challenge_pool* pool) {
  run(
      state, pool->values.size(),
      [&](std::size_t i) {
        const auto challenges = keyward::http::parse_challenges(pool->values[i], pool->limit);
        return challenges && challenges->size() == pool->shape.size();
      },
      [&](std::size_t i) {
        const auto challenges = keyward::http::parse_challenges(pool->values[i], pool->limit);
        benchmark::DoNotOptimize(challenges);
      });
}

// ---------------------------------------------------------------------------------------------------------
// Poco (PocoNet): the credentials classes, as a Poco server or client uses them.

#if KEYWARD_BENCH_POCO
/// One HTTPRequest per input, holding only the Authorization field (Poco parses from a request).
std::vector<std::unique_ptr<Poco::Net::HTTPRequest>> poco_requests(const std::vector<std::string>& values) {
  std::vector<std::unique_ptr<Poco::Net::HTTPRequest>> requests;
  for (const std::string& value : values) {
    requests.push_back(std::make_unique<Poco::Net::HTTPRequest>(Poco::Net::HTTPRequest::HTTP_GET, "/v1/charges",
                                                                Poco::Net::HTTPMessage::HTTP_1_1));
    requests.back()->set(Poco::Net::HTTPRequest::AUTHORIZATION, value);
  }
  return requests;
}

/// HTTPBasicCredentials(const HTTPRequest&): getCredentials() splits the field, then the Base64 is decoded.
void parse_basic_poco(benchmark::State& state, const inputs* in) {
  const auto requests = poco_requests(in->basic_values);
  run(
      state, pool_size,
      [&](std::size_t i) {
        try {
          const Poco::Net::HTTPBasicCredentials parsed(*requests[i]);
          return parsed.getUsername() == in->api_keys[i] && parsed.getPassword().empty();
        } catch (const Poco::Exception&) {
          return false;
        }
      },
      [&](std::size_t i) {
        const Poco::Net::HTTPBasicCredentials parsed(*requests[i]);
        benchmark::DoNotOptimize(parsed);
      });
}

/// HTTPBasicCredentials(const std::string& authInfo): the Base64 text alone, the scheme already removed (a
/// lower bound for Poco: it does less than parse_basic).
void parse_basic_poco_authinfo(benchmark::State& state, const inputs* in) {
  run(
      state, pool_size,
      [&](std::size_t i) {
        const Poco::Net::HTTPBasicCredentials parsed(in->basic_infos[i]);
        return parsed.getUsername() == in->api_keys[i] && parsed.getPassword().empty();
      },
      [&](std::size_t i) {
        const Poco::Net::HTTPBasicCredentials parsed(in->basic_infos[i]);
        benchmark::DoNotOptimize(parsed);
      });
}

/// OAuth20Credentials(const HTTPRequest&): Poco's only Bearer parser.
void parse_bearer_poco(benchmark::State& state, const bearer_pool* pool) {
  const auto requests = poco_requests(pool->values);
  run(
      state, pool_size,
      [&](std::size_t i) {
        try {
          const Poco::Net::OAuth20Credentials parsed(*requests[i]);
          return parsed.getBearerToken() == pool->tokens[i];
        } catch (const Poco::Exception&) {
          return false;
        }
      },
      [&](std::size_t i) {
        const Poco::Net::OAuth20Credentials parsed(*requests[i]);
        benchmark::DoNotOptimize(parsed);
      });
}

/// HTTPBasicCredentials::authenticate(HTTPRequest&) with credentials made once per key, into one request
/// whose Authorization field it replaces each time.
void build_basic_poco(benchmark::State& state, const inputs* in) {
  std::vector<std::unique_ptr<Poco::Net::HTTPBasicCredentials>> credentials;
  for (const std::string& key : in->api_keys) {
    credentials.push_back(std::make_unique<Poco::Net::HTTPBasicCredentials>(key, in->empty));
  }
  Poco::Net::HTTPRequest request;
  run(
      state, pool_size,
      [&](std::size_t i) {
        credentials[i]->authenticate(request);
        return request.get(Poco::Net::HTTPRequest::AUTHORIZATION) == in->basic_values[i];
      },
      [&](std::size_t i) {
        credentials[i]->authenticate(request);
        const Poco::Net::HTTPRequest& sent = request;
        benchmark::DoNotOptimize(sent);
      });
}

/// OAuth20Credentials::authenticate(HTTPRequest&), as build_basic_poco.
void build_bearer_poco(benchmark::State& state, const bearer_pool* pool) {
  std::vector<std::unique_ptr<Poco::Net::OAuth20Credentials>> credentials;
  for (const std::string& token : pool->tokens) {
    credentials.push_back(std::make_unique<Poco::Net::OAuth20Credentials>(token));
  }
  Poco::Net::HTTPRequest request;
  run(
      state, pool_size,
      [&](std::size_t i) {
        credentials[i]->authenticate(request);
        return request.get(Poco::Net::HTTPRequest::AUTHORIZATION) == pool->values[i];
      },
      [&](std::size_t i) {
        credentials[i]->authenticate(request);
        const Poco::Net::HTTPRequest& sent = request;
        benchmark::DoNotOptimize(sent);
      });
}

/// One HTTPResponse per input, holding only the WWW-Authenticate field (Poco parses from a response).
std::vector<std::unique_ptr<Poco::Net::HTTPResponse>> poco_responses(const std::vector<std::string>& values) {
  std::vector<std::unique_ptr<Poco::Net::HTTPResponse>> responses;
  for (const std::string& value : values) {
    responses.push_back(std::make_unique<Poco::Net::HTTPResponse>(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED));
    responses.back()->set(Poco::Net::HTTPAuthenticationParams::WWW_AUTHENTICATE, value);
  }
  return responses;
}

/// HTTPAuthenticationParams(const HTTPResponse&): the auth-params of the first Basic, Digest or NTLM challenge
/// of the WWW-Authenticate field, copied into a name-value collection.
void parse_challenges_poco(benchmark::State& state, const challenge_pool* pool) {
  const auto responses = poco_responses(pool->values);
  run(
      state, pool_size,
      [&](std::size_t i) {
        try {
          const Poco::Net::HTTPAuthenticationParams params(*responses[i]);
          return params.size() == pool->shape.front().second && params.getRealm() == pool->realms[i] &&
                 params.get("charset") == pool->last_values[i];
        } catch (const Poco::Exception&) {
          return false;
        }
      },
      [&](std::size_t i) {
        const Poco::Net::HTTPAuthenticationParams params(*responses[i]);
        benchmark::DoNotOptimize(params);
      });
}

/// HTTPAuthenticationParams(const std::string& authInfo) on each challenge's auth-params, the schemes already
/// removed and the challenges already split (a lower bound for Poco: it reads one challenge per field value,
/// and from a response only a Basic, Digest or NTLM one).
void parse_challenges_poco_authinfo(benchmark::State& state, const challenge_pool* pool) {
  run(
      state, pool_size,
      [&](std::size_t i) {
        const std::vector<std::string>& infos = pool->auth_infos[i];
        for (std::size_t c = 0; c < infos.size(); ++c) {
          try {
            const Poco::Net::HTTPAuthenticationParams params(infos[c]);
            if (params.size() != pool->shape[c].second || params.getRealm() != pool->realms[i]) return false;
          } catch (const Poco::Exception&) {
            return false;
          }
        }
        return true;
      },
      [&](std::size_t i) {
        for (const std::string& info : pool->auth_infos[i]) {
          const Poco::Net::HTTPAuthenticationParams params(info);
          benchmark::DoNotOptimize(params);
        }
      });
}

/// True when Poco rejects every value of the pool: its parser takes one challenge per field value.
bool poco_rejects(const challenge_pool& pool) {
  const auto responses = poco_responses(pool.values);
  for (const auto& response : responses) {
    try {
      const Poco::Net::HTTPAuthenticationParams params(*response);
      return false;
    } catch (const Poco::SyntaxException&) {
    }
  }
  return true;
}
#endif

// ---------------------------------------------------------------------------------------------------------
// cpp-httplib: client-side builders only (its server has no Authorization parser).

#if KEYWARD_BENCH_HTTPLIB
void build_basic_httplib(benchmark::State& state, const inputs* in) {
  run(
      state, pool_size,
      [&](std::size_t i) {
        const auto header = httplib::make_basic_authentication_header(in->api_keys[i], in->empty);
        return header.first == "Authorization" && header.second == in->basic_values[i];
      },
      [&](std::size_t i) {
        const auto header = httplib::make_basic_authentication_header(in->api_keys[i], in->empty);
        benchmark::DoNotOptimize(header);
      });
}

void build_bearer_httplib(benchmark::State& state, const bearer_pool* pool) {
  run(
      state, pool_size,
      [&](std::size_t i) {
        const auto header = httplib::make_bearer_token_authentication_header(pool->tokens[i], false);
        return header.first == "Authorization" && header.second == pool->values[i];
      },
      [&](std::size_t i) {
        const auto header = httplib::make_bearer_token_authentication_header(pool->tokens[i], false);
        benchmark::DoNotOptimize(header);
      });
}
#endif

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const inputs in = make_inputs();
  const std::vector<challenge_pool> challenge_pools = make_challenge_pools();
  for (const bearer_pool& pool : in.bearers) {
    for (const std::string& token : pool.tokens) {
      if (token.size() != (pool.label == "token40" ? 40 : 300)) {
        std::fprintf(stderr, "http_bench: a %s input has %zu characters\n", pool.label.c_str(), token.size());
        return 1;
      }
    }
  }

  add("parse_basic", "keyward", "apikey", parse_basic_keyward, &in);
  add("build_basic", "keyward", "apikey", build_basic_keyward, &in);
  add("build_basic", "keyward-string", "apikey", build_basic_keyward_string, &in);
  for (const bearer_pool& pool : in.bearers) {
    add("parse_bearer", "keyward", pool.label, parse_bearer_keyward, &pool);
    add("build_bearer", "keyward", pool.label, build_bearer_keyward, &pool);
    add("build_bearer", "keyward-string", pool.label, build_bearer_keyward_string, &pool);
  }
  for (const challenge_pool& pool : challenge_pools) {
    add("parse_challenges", "keyward", pool.label, parse_challenges_keyward, &pool);
    add("parse_challenges_only", "keyward", pool.label, parse_challenges_only_keyward, &pool);
  }
  const bearer_pool hostile_length = same_length_bearers(challenge_pools[2]);
  add("parse_bearer", "keyward", hostile_length.label, parse_bearer_keyward, &hostile_length);

#if KEYWARD_BENCH_POCO
  add("parse_basic", "poco", "apikey", parse_basic_poco, &in);
  add("parse_basic", "poco-authinfo", "apikey", parse_basic_poco_authinfo, &in);
  add("build_basic", "poco", "apikey", build_basic_poco, &in);
  for (const bearer_pool& pool : in.bearers) {
    add("parse_bearer", "poco", pool.label, parse_bearer_poco, &pool);
    add("build_bearer", "poco", pool.label, build_bearer_poco, &pool);
  }
  for (const challenge_pool& pool : challenge_pools) {
    if (pool.label != "three" && pool.label != "basic") continue;  // the hostile shapes are keyward's own check
    add("parse_challenges", "poco-authinfo", pool.label, parse_challenges_poco_authinfo, &pool);
    if (pool.shape.size() == 1) {
      add("parse_challenges", "poco", pool.label, parse_challenges_poco, &pool);
    } else if (poco_rejects(pool)) {
      std::fprintf(stderr, "note: Poco's HTTPAuthenticationParams rejects the %s challenges values "
                           "(one challenge per field value): not benchmarked\n", pool.label.c_str());
    } else {
      std::fprintf(stderr, "http_bench: Poco was expected to reject the %s challenges values\n", pool.label.c_str());
      return 1;
    }
  }
#endif
#if KEYWARD_BENCH_HTTPLIB
  std::fprintf(stderr, "note: cpp-httplib has no Authorization or WWW-Authenticate parser: builders only\n");
  add("build_basic", "httplib", "apikey", build_basic_httplib, &in);
  for (const bearer_pool& pool : in.bearers) add("build_bearer", "httplib", pool.label, build_bearer_httplib, &pool);
#endif

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
