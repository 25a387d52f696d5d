// keyward (private): the Redis side of keys::redis_store that needs no public type: its Lua scripts, the
// record keys and the argument vectors of its commands. No stability promise; not for direct use.
#ifndef KEYWARD_DETAIL_KEYS_REDIS_STORE_HPP
#define KEYWARD_DETAIL_KEYS_REDIS_STORE_HPP

#include "keys_redis_credits.hpp"

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <vector>

namespace keyward::detail::keys_redis_store {

/// The record of KEYS[1] if it does not exist yet: ARGV 1 the channel, 2 the id, 3... field-value pairs.
/// Returns 1 when written (and the id published), 0 when the id is taken.
inline constexpr std::string_view insert_script = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
)lua";

/// Replaces the record of KEYS[1] when its revision is ARGV 3 and its digest ARGV 4 (a record erased and
/// inserted again restarts at revision 1: the digest tells it from the one read): ARGV 1 the channel, 2 the
/// id, 5... the new field-value pairs. The later of the two last uses is kept (the worker writes them
/// without a revision). Returns 1 when written (and the id published), 0 when the revision or the digest
/// differs, -1 when there is no record.
inline constexpr std::string_view modify_script = R"lua(
local revision = redis.call('HGET', KEYS[1], 'revision')
if not revision then return -1 end
if revision ~= ARGV[3] or redis.call('HGET', KEYS[1], 'digest') ~= ARGV[4] then return 0 end
local used = redis.call('HGET', KEYS[1], 'last_used')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
if used then
  local mine = redis.call('HGET', KEYS[1], 'last_used')
  if not mine or tonumber(mine) < tonumber(used) then redis.call('HSET', KEYS[1], 'last_used', used) end
end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
)lua";

/// Deletes the record of KEYS[1]: ARGV 1 the channel, 2 the id. Returns {1, owner} when deleted (and the id
/// published), {0} when there was none.
inline constexpr std::string_view erase_script = R"lua(
local owner = redis.call('HGET', KEYS[1], 'owner')
if redis.call('DEL', KEYS[1]) == 0 then return {0} end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return {1, owner or ''}
)lua";

/// Sets the last use of the record of KEYS[1] to ARGV 1 (seconds) when the record exists and holds an
/// earlier one (or none): never creates a record, never moves a last use back.
inline constexpr std::string_view last_used_script = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local old = redis.call('HGET', KEYS[1], 'last_used')
if old and tonumber(old) and tonumber(old) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'last_used', ARGV[1])
return 1
)lua";

/// True for a duration from 0 to 24 hours, the range of the cache's durations.
constexpr bool within_a_day(std::chrono::milliseconds d) noexcept {
  return d.count() >= 0 && d <= std::chrono::hours(24);
}

/// The longest namespace (that of a balance key too).
using keys_redis_credits::max_namespace;
/// Room for `<namespace>{<id>}`.
inline constexpr std::size_t max_record_key = max_namespace + 2 + keys_redis_credits::max_id;

/// `<key_namespace>{<id>}` into `out`; its size. `key_namespace` has at most max_namespace bytes and `id` at
/// most keys_redis_credits::max_id (the caller checks).
inline std::size_t write_record_key(std::string_view key_namespace, std::string_view id,
                                    char (&out)[max_record_key]) noexcept {
  std::memcpy(out, key_namespace.data(), key_namespace.size());
  std::size_t at = key_namespace.size();
  out[at++] = '{';
  std::memcpy(out + at, id.data(), id.size());
  at += id.size();
  out[at++] = '}';
  return at;
}

/// The argument vector of one command, over views (which must outlive it).
struct command {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  void add(std::string_view arg) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
};

}  // namespace keyward::detail::keys_redis_store

#endif  // KEYWARD_DETAIL_KEYS_REDIS_STORE_HPP
