// Consumer of keyward::redis built by tests/install/run.sh: includes the Redis adapter, builds a limiter
// (make() checks options and does not connect) and calls hiredis's reply parser, so that both the headers
// and the hiredis library must be found. Needs no Redis server. Exits 0 on success.
#include <keyward/rate/redis.hpp>
#include <keyward/version.hpp>

#include <hiredis/hiredis.h>

#include <cstdio>

int main() {
  auto limiter = keyward::rate::redis_limiter::make(keyward::rate::redis_options{});
  if (!limiter) {
    std::fprintf(stderr, "redis_limiter::make refused the default options\n");
    return 1;
  }
  redisReader* reader = redisReaderCreate();  // a hiredis symbol: fails to link without hiredis
  if (reader == nullptr) return 1;
  redisReaderFree(reader);
  std::printf("keyward %s: redis component ok\n", keyward::version_string);
  return 0;
}
