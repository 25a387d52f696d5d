// Conan test package for keyward built with with_redis=True (also built by tests/install/run.sh against a
// staged install, through find_package_redis/): includes the Redis adapter through
// keyward::redis, builds a limiter (make() checks the options and does not connect) and calls hiredis's reply
// parser, so that both the headers and the hiredis library must be found. Needs no Redis server.
#include <keyward/rate/redis.hpp>
#include <keyward/version.hpp>

#include <hiredis/hiredis.h>

#include <cstdio>

int main() {
  if (!keyward::rate::redis_limiter::make(keyward::rate::redis_options{})) {
    std::fprintf(stderr, "redis_limiter::make refused the default options\n");
    return 1;
  }
  redisReader* reader = redisReaderCreate();  // a hiredis symbol: fails to link without hiredis
  if (reader == nullptr) return 1;
  redisReaderFree(reader);
  std::printf("keyward %s: keyward::redis links hiredis\n", keyward::version_string);
  return 0;
}
