#include "cli/cli_tree.h"

#include <sstream>

#include "cli/common_options.h"

namespace cascade::cli {

std::vector<const CLI::App*> visible_commands(const CLI::App& command) {
  return command.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::vector<const CLI::Option*> visible_options(const CLI::App& command) {
  std::vector<const CLI::Option*> named;
  std::vector<const CLI::Option*> positional;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_group().empty()) continue;
    (option->get_positional() ? positional : named).push_back(option);
  }
  named.insert(named.end(), positional.begin(), positional.end());
  return named;
}

std::vector<std::string> command_words(const CLI::App& command) {
  std::vector<std::string> words;
  for (const CLI::App* at = &command; at != nullptr; at = at->get_parent()) {
    words.insert(words.begin(), at->get_name());
  }
  return words;
}

std::vector<const CLI::App*> all_commands(const CLI::App& app) {
  std::vector<const CLI::App*> out{&app};
  for (const CLI::App* sub : visible_commands(app)) {
    auto below = all_commands(*sub);
    out.insert(out.end(), below.begin(), below.end());
  }
  return out;
}

std::string value_placeholder(const CLI::Option& option) {
  std::string type = option.get_type_name();
  type = type.substr(0, type.find(':'));
  if (type == "TEXT" || type.empty()) return "VALUE";
  if (type == "INT" || type == "UINT") return "N";
  return type;
}

bool is_flag(const CLI::Option& option) {
  return option.get_expected_max() == 0;
}

ParsedFooter parse_footer(std::string_view footer) {
  enum class Part { kNone, kExamples, kExitCodes };
  ParsedFooter parsed;
  Part part = Part::kNone;
  std::istringstream lines{std::string(footer)};
  for (std::string line; std::getline(lines, line);) {
    if (line == kExamplesHeading) {
      part = Part::kExamples;
    } else if (line == kExitCodesHeading) {
      part = Part::kExitCodes;
    } else if (!line.starts_with("  ")) {
      continue;
    } else if (part == Part::kExamples && line.starts_with("  # ")) {
      parsed.examples.push_back({line.substr(4), {}});
    } else if (part == Part::kExamples && !parsed.examples.empty()) {
      parsed.examples.back().command = line.substr(2);
    } else if (part == Part::kExitCodes) {
      const std::string entry = line.substr(2);
      const auto gap = entry.find("  ");
      if (gap == std::string::npos) continue;
      parsed.exit_codes.push_back({entry.substr(0, gap), entry.substr(gap + 2)});
    }
  }
  return parsed;
}

}  // namespace cascade::cli
