// The verbs of the keyward command. Each takes the arguments after its own name (for `keyward key new
// --json`: {"new", "--json"}) and returns an exit_code (cli.hpp).
#ifndef KEYWARD_TOOLS_COMMANDS_HPP
#define KEYWARD_TOOLS_COMMANDS_HPP

#include <keyward/keys/prefix.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace keyward_cli {

/// `keyward key new|inspect|scan|redact` (key_command.cpp).
int key_command(const std::vector<std::string_view>& args);
/// `keyward header basic|bearer|parse` (header_command.cpp).
int header_command(const std::vector<std::string_view>& args);
/// `keyward jwt decode|verify|sign` (jwt_command.cpp).
int jwt_command(const std::vector<std::string_view>& args);
/// `keyward webhook sign|verify` (webhook_command.cpp).
int webhook_command(const std::vector<std::string_view>& args);
/// `keyward retry-after VALUE` (retry_command.cpp).
int retry_after_command(const std::vector<std::string_view>& args);
/// `keyward backoff --policy ... --attempts N` (retry_command.cpp).
int backoff_command(const std::vector<std::string_view>& args);


/// The prefix-table entry of a keyward-format key whose prefix is in no known table, inferred from the key
/// itself when it parses with it; nullopt otherwise (key_command.cpp; `key inspect` and `header parse` use it).
std::optional<keyward::keys::prefix_entry> inferred_key_entry(std::string_view key);

}  // namespace keyward_cli

#endif  // KEYWARD_TOOLS_COMMANDS_HPP
