// The keyward command's shared conventions: option parsing, exit codes, error lines, JSON strings, secrets
// from the environment or stdin. Every verb (key, header, jwt, webhook, retry-after, backoff) uses these, so
// the command behaves one way throughout. Not part of the library: nothing under include/ uses it.
#ifndef KEYWARD_TOOLS_CLI_HPP
#define KEYWARD_TOOLS_CLI_HPP

#include <keyward/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyward_cli {

/// The exit codes of every verb (listed by `keyward --help`).
enum exit_code : int {
  exit_ok = 0,        ///< done; for a check (verify, inspect, parse), the input was accepted
  exit_rejected = 1,  ///< the input was rejected (an invalid key, a bad signature, a value that does not parse)
  exit_usage = 2,     ///< the command line is wrong (unknown option, missing argument, unset variable)
};

/// One option a verb accepts: `--name VALUE` / `--name=VALUE` when takes_value, else the flag `--name`.
struct option_spec {
  std::string_view name;    ///< without the leading dashes
  bool takes_value;         ///< whether a value follows
  bool repeatable = false;  ///< whether it may be given more than once (else a repeat is a usage error)
};

/// A verb: its full name in messages ("key new") and its help text (printed by --help, starting with the
/// usage line and ending with a newline).
struct verb {
  std::string_view name;  ///< as typed after `keyward`, e.g. "key new"
  std::string_view help;  ///< the --help text
};

/// One sub-verb of a group (`new` of `keyward key`) and the function that runs it.
struct sub_verb {
  std::string_view name;                                    ///< as typed after the group's name
  int (*run)(const std::vector<std::string_view>& args);  ///< given the arguments after the sub-verb
};

/// The longest line a value, token or secret may be read from on stdin.
inline constexpr std::size_t max_stdin_line = 64 * 1024;

/// The command line of one verb, parsed against the options it accepts (--json and --help are always
/// accepted). Options and positional arguments may be mixed; `--` makes everything after it positional; `-`
/// alone is positional (it means stdin where a verb takes a file or value); `-h` is --help.
class arguments {
 public:
  /// Parses args against specs. Returns nullopt and sets `error` for an unknown option, an option missing its
  /// value, a value given to a flag, or an option given twice that is not repeatable.
  static std::optional<arguments> parse(const std::vector<std::string_view>& args,
                                        std::initializer_list<option_spec> specs, std::string& error);

  /// The value of the last --name given, or nullopt.
  std::optional<std::string_view> value(std::string_view name) const;
  /// Every value of --name, in order (for options that may repeat, such as --header).
  std::vector<std::string_view> values(std::string_view name) const;
  /// Whether the flag --name was given.
  bool flag(std::string_view name) const;
  /// The positional arguments, in order.
  const std::vector<std::string_view>& positional() const noexcept { return positional_; }
  /// Whether --json was given: the verb prints one JSON document on stdout instead of text.
  bool json() const { return flag("json"); }
  /// Whether --help was given.
  bool help() const { return flag("help"); }

 private:
  struct given {
    std::string_view name;
    std::optional<std::string_view> value;
  };
  std::vector<given> options_;
  std::vector<std::string_view> positional_;
};

/// Prints the verb's help on stdout; returns exit_ok.
int print_help(const verb& v);
/// Prints `keyward <verb>: <reason> (try 'keyward <verb> --help')` on stderr, on one line (control bytes
/// shown as \xNN); returns exit_usage.
int usage_error(const verb& v, std::string_view reason);
/// Prints `keyward <verb>: <reason>` on stderr, on one line (control bytes shown as \xNN); returns
/// exit_rejected.
int rejected(const verb& v, std::string_view reason);
/// Runs the sub-verb of a group (`keyward key new ...`) named by args[0]; `--help`, `-h` or `help` print the
/// group's help; a missing or unknown sub-verb is a usage error listing the sub-verbs.
int run_group(const verb& group, const std::vector<std::string_view>& args, std::initializer_list<sub_verb> subs);
/// True when `a` and `b` are equal but for the case of ASCII letters (header field names, RFC 9110 section 5.1).
bool equal_ignoring_ascii_case(std::string_view a, std::string_view b);
/// `text` with every byte below 0x20 and 0x7F written as \xNN, for one-line messages and file names.
std::string printable(std::string_view text);

/// Parses the verb's arguments and handles --help and parse errors: returns nullopt with `status` set to the
/// exit code to return (exit_ok after printing help, exit_usage after an error), else the arguments.
std::optional<arguments> parse_or_report(const verb& v, const std::vector<std::string_view>& args,
                                         std::initializer_list<option_spec> specs, int& status);

/// The value of environment variable `name`; nullopt with `error` set ("NAME is not set" / "NAME is empty").
/// Never prints the value.
std::optional<std::string> from_environment(std::string_view name, std::string& error);
/// Why stdin could not be read, and the exit code that calls for.
struct stdin_failure {
  std::string reason;           ///< one line, e.g. "cannot read stdin"
  int status = exit_usage;      ///< exit_rejected when the input is longer than allowed, else exit_usage
};
/// Reports `failure` for verb `v` (rejected() or usage_error() as its status says); returns its status.
int report(const verb& v, const stdin_failure& failure);
/// All of stdin, at most `max_bytes`; nullopt with `failure` set when it is longer or unreadable.
std::optional<std::string> read_stdin(std::size_t max_bytes, stdin_failure& failure);
/// The first line of stdin without its line ending (for a secret typed or piped in); nullopt with `failure`
/// set when stdin is empty, unreadable or the line is longer than max_bytes.
std::optional<std::string> read_stdin_line(std::size_t max_bytes, stdin_failure& failure);
/// A secret from the environment variable `variable` when it is set, else the first line of stdin when stdin
/// is not a terminal (secrets never come from argv, which other users of the machine can read, and are never
/// typed where they echo). nullopt with `error` set on failure.
std::optional<std::string> secret_from_env_or_stdin(std::string_view variable, std::string& error);
/// The verb's one positional argument, or the first line of stdin when it is `-`. nullopt with `status` set
/// after reporting: exit_usage when the argument is missing or repeated, or stdin is empty or unreadable;
/// exit_rejected when the line is longer than max_stdin_line.
std::optional<std::string> value_or_stdin_line(const verb& v, const arguments& args, std::string_view what,
                                               int& status);
/// The name of the environment variable a secret is read from: --secret-env's value, else `default_name`.
/// nullopt with `status` set (a usage error) when --secret-env is given empty.
std::optional<std::string_view> secret_variable(const verb& v, const arguments& args, std::string_view default_name,
                                                int& status);
/// The Unix time in seconds given by option `name` (a whole number, 0 or more), else the system clock's now.
/// nullopt with `status` set (a usage error) when the value is not one.
std::optional<std::int64_t> unix_seconds_option(const verb& v, const arguments& args, std::string_view name,
                                                int& status);

/// A decimal integer: an optional '-' then 1 to 18 digits (so it never overflows); nullopt for anything else.
std::optional<std::int64_t> parse_integer(std::string_view text);
/// The error's message, then " at byte N" when it carries an offset (and " of <where>" after it when `where`
/// is not empty): the one-line reason of a rejected input.
std::string describe(const keyward::error& failure, std::string_view where = {});

/// `text` as a JSON string, quoted, with the escapes of RFC 8259 section 7 (control bytes as \u00XX); valid
/// UTF-8 is copied, and each byte of an invalid sequence becomes U+FFFD, so the document is always valid JSON.
std::string json_string(std::string_view text);
/// Writes `value` on one line, then a line with a caret under byte `offset` (bytes below 0x20 and 0x7F shown
/// as '.', so the caret lines up), to `out`.
void print_caret(std::FILE* out, std::string_view value, std::size_t offset);

}  // namespace keyward_cli

#endif  // KEYWARD_TOOLS_CLI_HPP
