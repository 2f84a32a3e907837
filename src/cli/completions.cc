// bash, zsh and fish completion scripts from the CLI definition: command names at each level,
// option names of the command typed so far, file names elsewhere.
#include <sstream>

#include "cli/cli_tree.h"
#include "cli/generated_docs.h"

namespace cascade::cli {
namespace {

constexpr const char* kGeneratedNote =
    "generated from cascade's command-line definition at build time; do not edit";

std::string words_of(const CLI::App& command) {
  std::string out;
  for (const auto& word : command_words(command)) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::vector<std::string> option_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : visible_options(command)) {
    for (const auto& name : option->get_snames()) names.push_back("-" + name);
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

std::string command_names(const CLI::App& command) {
  std::string out;
  for (const CLI::App* sub : visible_commands(command)) {
    out += (out.empty() ? "" : " ") + sub->get_name();
  }
  return out;
}

std::string spaced(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

// The patterns matching "PARENT WORD" for every command below the top: the loop walking the
// typed words descends only through real command names.
std::string command_path_patterns(const CLI::App& app, const char* open, const char* close) {
  std::string out;
  for (const CLI::App* command : all_commands(app)) {
    if (command == &app) continue;
    out += (out.empty() ? "" : "|") + std::string(open) + words_of(*command) + close;
  }
  return out;
}

// A fish single-quoted string.
std::string fish_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// fish: the condition under which `command`'s own words (its subcommands and options) apply.
std::string fish_condition(const CLI::App& command) {
  const auto words = command_words(command);
  if (words.size() == 1) return "__fish_use_subcommand";
  std::string condition;
  for (std::size_t i = 1; i < words.size(); ++i) {
    condition += (condition.empty() ? "" : "; and ") + std::string("__fish_seen_subcommand_from ") +
                 words[i];
  }
  if (const std::string subs = command_names(command); !subs.empty()) {
    condition += "; and not __fish_seen_subcommand_from " + subs;
  }
  return condition;
}

}  // namespace

std::string bash_completion(const CLI::App& app) {
  std::ostringstream out;
  out << "# bash completion for cascade, " << kGeneratedNote << ".\n"
      << "_cascade() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" typed=\"cascade\" i\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case \"$typed ${COMP_WORDS[i]}\" in\n"
      << "      " << command_path_patterns(app, "\"", "\"") << ")\n"
      << "        typed=\"$typed ${COMP_WORDS[i]}\" ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  local commands=\"\" options=\"\"\n"
      << "  case \"$typed\" in\n";
  for (const CLI::App* command : all_commands(app)) {
    out << "    \"" << words_of(*command) << "\")\n      commands=\"" << command_names(*command)
        << "\"\n      options=\"" << spaced(option_names(*command)) << "\" ;;\n";
  }
  out << "  esac\n"
      << "  if [[ \"$cur\" == -* ]]; then\n"
      << "    mapfile -t COMPREPLY < <(compgen -W \"$options\" -- \"$cur\")\n"
      << "  elif [[ -n \"$commands\" ]]; then\n"
      << "    mapfile -t COMPREPLY < <(compgen -W \"$commands\" -- \"$cur\")\n"
      << "  fi\n"
      << "}\n"
      << "# Nothing offered (an operand): file names, as for any command.\n"
      << "complete -o default -F _cascade cascade\n";
  return out.str();
}

std::string zsh_completion(const CLI::App& app) {
  std::ostringstream out;
  out << "#compdef cascade\n"
      << "# zsh completion for cascade, " << kGeneratedNote << ".\n"
      << "_cascade() {\n"
      << "  local typed=cascade i\n"
      << "  for ((i = 2; i < CURRENT; i++)); do\n"
      << "    case \"$typed ${words[i]}\" in\n"
      << "      (" << command_path_patterns(app, "'", "'") << ")\n"
      << "        typed=\"$typed ${words[i]}\" ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  local -a commands options\n"
      << "  case \"$typed\" in\n";
  for (const CLI::App* command : all_commands(app)) {
    out << "    ('" << words_of(*command) << "')\n      commands=(" << command_names(*command)
        << ")\n      options=(" << spaced(option_names(*command)) << ") ;;\n";
  }
  out << "  esac\n"
      << "  if [[ ${words[CURRENT]} == -* ]]; then\n"
      << "    compadd -a options\n"
      << "  elif (( ${#commands} )); then\n"
      << "    compadd -a commands\n"
      << "  else\n"
      << "    _files\n"
      << "  fi\n"
      << "}\n"
      << "_cascade \"$@\"\n";
  return out.str();
}

std::string fish_completion(const CLI::App& app) {
  std::ostringstream out;
  out << "# fish completion for cascade, " << kGeneratedNote << ".\n";
  for (const CLI::App* command : all_commands(app)) {
    const std::string condition = fish_quoted(fish_condition(*command));
    for (const CLI::App* sub : visible_commands(*command)) {
      out << "complete -c cascade -f -n " << condition << " -a " << sub->get_name() << " -d "
          << fish_quoted(sub->get_description()) << '\n';
    }
    for (const CLI::Option* option : visible_options(*command)) {
      if (option->get_positional()) continue;
      out << "complete -c cascade -n " << condition;
      for (const auto& name : option->get_snames()) out << " -s " << name;
      for (const auto& name : option->get_lnames()) out << " -l " << name;
      if (!is_flag(*option)) out << " -r";
      out << " -d " << fish_quoted(option->get_description()) << '\n';
    }
  }
  return out.str();
}

}  // namespace cascade::cli
