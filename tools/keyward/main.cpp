// keyward: the command line over the keyward library. `keyward --help` lists the verbs; each verb has its own
// --help. Exit codes: 0 done or accepted, 1 rejected input, 2 usage error. Errors go to stderr, one line each.
#include "cli.hpp"
#include "commands.hpp"

#include <keyward/version.hpp>

#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view overview =
    "usage: keyward <verb> [arguments] [--json] [--help]\n"
    "\n"
    "API keys:\n"
    "  key new --prefix PREFIX       mint a key (printed once) with its id and redaction; its storage digest\n"
    "                                when KEYWARD_PEPPER is set\n"
    "  key inspect KEY|-             classify a key: prefix, format, checksum, redaction\n"
    "  key scan FILE...              find keys in files (exit 1 when any is found)\n"
    "  key redact                    copy stdin to stdout with every key masked\n"
    "HTTP authentication:\n"
    "  header basic|bearer           an Authorization value for the key in $KEYWARD_API_KEY (or on stdin)\n"
    "  header parse VALUE            explain an Authorization or WWW-Authenticate value\n"
    "JWT (HS256, HS384, HS512):\n"
    "  jwt decode TOKEN|-            print the header and claims, unverified\n"
    "  jwt verify TOKEN|-            verify the signature and the claims (secret in $KEYWARD_JWT_SECRET)\n"
    "  jwt sign                      make a token (secret in $KEYWARD_JWT_SECRET)\n"
    "Webhooks (Standard Webhooks, Stripe, GitHub, Slack):\n"
    "  webhook sign|verify           sign or verify the body on stdin (secret in $KEYWARD_WEBHOOK_SECRET)\n"
    "Retrying:\n"
    "  retry-after VALUE             the wait a Retry-After value asks for\n"
    "  backoff --policy P --attempts N   the schedule of waits of a backoff policy\n"
    "\n"
    "Options of every verb: --json (one JSON document on stdout), --help (or -h).\n"
    "keyward --version prints the version.\n"
    "Exit codes: 0 done (or the input is valid), 1 the input was rejected (or the output could not be\n"
    "written), 2 usage error.\n"
    "Secrets are read from environment variables or stdin, never from the command line.\n";

/// Runs the verb named by all[0] (`keyward --help` and `--version` included).
int run(const std::vector<std::string_view>& all) {
  using namespace keyward_cli;
  if (all.empty()) {
    std::fputs(overview.data(), stderr);
    return exit_usage;
  }
  const std::string_view name = all.front();
  const std::vector<std::string_view> rest(all.begin() + 1, all.end());
  if (name == "--help" || name == "-h" || name == "help") {
    std::fputs(overview.data(), stdout);
    return exit_ok;
  }
  if (name == "--version") {
    std::printf("keyward %s\n", keyward::version_string);
    return exit_ok;
  }
  if (name == "key") return key_command(rest);
  if (name == "header") return header_command(rest);
  if (name == "jwt") return jwt_command(rest);
  if (name == "webhook") return webhook_command(rest);
  if (name == "retry-after") return retry_after_command(rest);
  if (name == "backoff") return backoff_command(rest);
  std::fprintf(stderr, "keyward: unknown verb '%s' (try 'keyward --help')\n", printable(name).c_str());
  return exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace keyward_cli;
  int status = exit_usage;
#if defined(__cpp_exceptions)
  try {
    status = run(std::vector<std::string_view>(argv + 1, argv + argc));
  } catch (const std::exception& failure) {  // out of memory: the library itself never throws
    std::fprintf(stderr, "keyward: %s\n", failure.what());
    return exit_rejected;
  }
#else
  status = run(std::vector<std::string_view>(argv + 1, argv + argc));
#endif
  // Output that did not reach its destination (a full disk, a closed pipe) is a failure: a key that
  // `key new` shows once must not be lost silently.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "keyward: cannot write stdout\n");
    return exit_rejected;
  }
  return status;
}
