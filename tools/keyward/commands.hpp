// The verbs of the keyward command. Each takes the arguments after its own name (for `keyward key new
// --json`: {"new", "--json"}) and returns an exit_code (cli.hpp).
#ifndef KEYWARD_TOOLS_COMMANDS_HPP
#define KEYWARD_TOOLS_COMMANDS_HPP

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

}  // namespace keyward_cli

#endif  // KEYWARD_TOOLS_COMMANDS_HPP
