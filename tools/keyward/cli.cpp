// The keyward command's shared conventions (cli.hpp).
#include "cli.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>

namespace keyward_cli {

std::optional<arguments> arguments::parse(const std::vector<std::string_view>& args,
                                          std::initializer_list<option_spec> specs, std::string& error) {
  arguments parsed;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!options_ended && arg == "-h") {
      parsed.options_.push_back({"help", std::nullopt});
      continue;
    }
    if (options_ended || arg.size() < 2 || arg.substr(0, 2) != "--") {
      if (!options_ended && arg.size() > 1 && arg[0] == '-') {
        error = "unknown option " + std::string(arg);
        return std::nullopt;
      }
      parsed.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> inline_value;
    if (const auto equals = name.find('='); equals != std::string_view::npos) {
      inline_value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    const option_spec* spec = nullptr;
    static constexpr option_spec always[] = {{"json", false}, {"help", false}};
    for (const option_spec& s : always) {
      if (s.name == name) spec = &s;
    }
    for (const option_spec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      error = "unknown option --" + std::string(name);
      return std::nullopt;
    }
    if (!spec->repeatable && parsed.flag(spec->name)) {
      error = "--" + std::string(name) + " is given twice";
      return std::nullopt;
    }
    if (!spec->takes_value) {
      if (inline_value) {
        error = "--" + std::string(name) + " takes no value";
        return std::nullopt;
      }
      parsed.options_.push_back({spec->name, std::nullopt});
      continue;
    }
    if (!inline_value) {
      if (i + 1 == args.size()) {
        error = "--" + std::string(name) + " needs a value";
        return std::nullopt;
      }
      inline_value = args[++i];
    }
    parsed.options_.push_back({spec->name, inline_value});
  }
  return parsed;
}

std::optional<std::string_view> arguments::value(std::string_view name) const {
  std::optional<std::string_view> last;
  for (const given& g : options_) {
    if (g.name == name) last = g.value;
  }
  return last;
}

std::vector<std::string_view> arguments::values(std::string_view name) const {
  std::vector<std::string_view> all;
  for (const given& g : options_) {
    if (g.name == name && g.value) all.push_back(*g.value);
  }
  return all;
}

bool arguments::flag(std::string_view name) const {
  for (const given& g : options_) {
    if (g.name == name) return true;
  }
  return false;
}

int print_help(const verb& v) {
  std::fwrite(v.help.data(), 1, v.help.size(), stdout);
  return exit_ok;
}

int usage_error(const verb& v, std::string_view reason) {
  const std::string shown = printable(reason);
  std::fprintf(stderr, "keyward %.*s: %s (try 'keyward %.*s --help')\n", static_cast<int>(v.name.size()),
               v.name.data(), shown.c_str(), static_cast<int>(v.name.size()), v.name.data());
  return exit_usage;
}

int rejected(const verb& v, std::string_view reason) {
  const std::string shown = printable(reason);
  std::fprintf(stderr, "keyward %.*s: %s\n", static_cast<int>(v.name.size()), v.name.data(), shown.c_str());
  return exit_rejected;
}

int run_group(const verb& group, const std::vector<std::string_view>& args, std::initializer_list<sub_verb> subs) {
  std::string names;
  for (const sub_verb& s : subs) names += (names.empty() ? "" : ", ") + std::string(s.name);
  if (args.empty()) return usage_error(group, "missing sub-verb: " + names);
  const std::string_view name = args.front();
  if (name == "--help" || name == "-h" || name == "help") return print_help(group);
  for (const sub_verb& s : subs) {
    if (s.name == name) return s.run(std::vector<std::string_view>(args.begin() + 1, args.end()));
  }
  return usage_error(group, "unknown sub-verb '" + std::string(name) + "' (one of " + names + ")");
}

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string shown;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      shown += "\\x";
      shown += hex[byte >> 4];
      shown += hex[byte & 0xF];
    } else {
      shown += c;
    }
  }
  return shown;
}

std::optional<arguments> parse_or_report(const verb& v, const std::vector<std::string_view>& args,
                                         std::initializer_list<option_spec> specs, int& status) {
  std::string error;
  std::optional<arguments> parsed = arguments::parse(args, specs, error);
  if (!parsed) {
    status = usage_error(v, error);
    return std::nullopt;
  }
  if (parsed->help()) {
    status = print_help(v);
    return std::nullopt;
  }
  return parsed;
}

std::optional<std::string> from_environment(std::string_view name, std::string& error) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) {
    error = std::string(name) + " is not set";
    return std::nullopt;
  }
  if (*value == '\0') {
    error = std::string(name) + " is empty";
    return std::nullopt;
  }
  return std::string(value);
}

int report(const verb& v, const stdin_failure& failure) {
  return failure.status == exit_rejected ? rejected(v, failure.reason) : usage_error(v, failure.reason);
}

std::optional<std::string> read_stdin(std::size_t max_bytes, stdin_failure& failure) {
  std::string all;
  char chunk[4096];
  std::size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, stdin)) > 0) {
    if (all.size() + got > max_bytes) {
      failure = {"stdin is longer than " + std::to_string(max_bytes) + " bytes", exit_rejected};
      return std::nullopt;
    }
    all.append(chunk, got);
  }
  if (std::ferror(stdin)) {
    failure = {"cannot read stdin", exit_usage};
    return std::nullopt;
  }
  return all;
}

std::optional<std::string> read_stdin_line(std::size_t max_bytes, stdin_failure& failure) {
  std::string line;
  int c = 0;
  while ((c = std::fgetc(stdin)) != EOF && c != '\n') {
    if (line.size() == max_bytes) {
      failure = {"the line on stdin is longer than " + std::to_string(max_bytes) + " bytes", exit_rejected};
      return std::nullopt;
    }
    line.push_back(static_cast<char>(c));
  }
  if (std::ferror(stdin)) {
    failure = {"cannot read stdin", exit_usage};
    return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    failure = {"nothing on stdin", exit_usage};
    return std::nullopt;
  }
  return line;
}

std::optional<std::string> secret_from_env_or_stdin(std::string_view variable, std::string& error) {
  if (std::getenv(std::string(variable).c_str()) != nullptr) return from_environment(variable, error);
  if (isatty(STDIN_FILENO) == 1) {
    error = std::string(variable) + " is not set (and stdin is a terminal, where a key would echo)";
    return std::nullopt;
  }
  stdin_failure failure;
  std::optional<std::string> line = read_stdin_line(max_stdin_line, failure);
  if (!line) error = std::string(variable) + " is not set and " + failure.reason;
  return line;
}

std::optional<std::string> value_or_stdin_line(const verb& v, const arguments& args, std::string_view what,
                                               int& status) {
  if (args.positional().size() != 1) {
    status = usage_error(v, args.positional().empty() ? "needs " + std::string(what) + " (or - for stdin)"
                                                      : "takes one " + std::string(what));
    return std::nullopt;
  }
  if (args.positional().front() != "-") return std::string(args.positional().front());
  stdin_failure failure;
  std::optional<std::string> line = read_stdin_line(max_stdin_line, failure);
  if (!line) status = report(v, failure);
  return line;
}

std::optional<std::string_view> secret_variable(const verb& v, const arguments& args, std::string_view default_name,
                                                int& status) {
  const std::optional<std::string_view> named = args.value("secret-env");
  if (named && named->empty()) {
    status = usage_error(v, "--secret-env needs a variable name");
    return std::nullopt;
  }
  return named.value_or(default_name);
}

std::optional<std::int64_t> unix_seconds_option(const verb& v, const arguments& args, std::string_view name,
                                                int& status) {
  const std::optional<std::string_view> given = args.value(name);
  if (!given) {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  const std::optional<std::int64_t> value = parse_integer(*given);
  if (!value || *value < 0) {
    status = usage_error(v, "--" + std::string(name) + " needs a whole number of seconds since 1970-01-01 UTC");
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  const std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

std::string describe(const keyward::error& failure, std::string_view where) {
  std::string text = failure.message();
  if (failure.has_offset()) {
    text += " at byte " + std::to_string(failure.offset());
    if (!where.empty()) text += " of " + std::string(where);
  }
  return text;
}

namespace {

/// The length of the valid UTF-8 sequence (RFC 3629 section 4) starting text[at], or 0 when none starts there.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the byte after the lead
  if (lead >= 0xC2 && lead <= 0xDF) length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (at + length > text.size() || byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      const std::size_t length = utf8_sequence_length(text, i);
      if (length == 0) {
        out += "\\ufffd";
      } else {
        out.append(text.substr(i, length));
        i += length - 1;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[byte >> 4];
          out += hex[byte & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

void print_caret(std::FILE* out, std::string_view value, std::size_t offset) {
  std::string shown(value);
  for (char& c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = '.';
  }
  std::fprintf(out, "%s\n%s^\n", shown.c_str(), std::string(offset < value.size() ? offset : value.size(), ' ').c_str());
}

}  // namespace keyward_cli
