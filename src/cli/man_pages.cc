// Man pages in roff (man macros) from the CLI definition, and the hidden command that writes
// them with the completions.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli_tree.h"
#include "cli/commands.h"
#include "cli/generated_docs.h"

namespace cascade::cli {
namespace {

// Text as roff reads it literally: a backslash, a hyphen (else a breakable hyphen, wrong in
// an option), quotes (else typographic ones no shell accepts) and a control character at the
// start of a line.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    switch (c) {
      case '\\':
        out += "\\e";
        break;
      case '-':
        out += "\\-";
        break;
      case '\'':
        out += "\\(aq";
        break;
      case '`':
        out += "\\(ga";
        break;
      default:
        out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string joined(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : std::string(separator)) + word;
  return out;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string page_name(const CLI::App& command) {
  return joined(command_words(command), "-");
}

// "\fB\-j\fR, \fB\-\-threads\fR \fIN\fR" or "\fIpaths\fR..."
std::string option_term(const CLI::Option& option) {
  if (option.get_positional()) {
    return "\\fI" + roff(option.get_name()) + "\\fR" +
           (option.get_items_expected_max() > 1 ? "..." : "");
  }
  std::vector<std::string> names;
  for (const auto& name : option.get_snames()) names.push_back("\\fB" + roff("-" + name) + "\\fR");
  for (const auto& name : option.get_lnames()) names.push_back("\\fB" + roff("--" + name) + "\\fR");
  std::string term = joined(names, ", ");
  if (!is_flag(option)) term += " \\fI" + roff(value_placeholder(option)) + "\\fR";
  return term;
}

std::string synopsis(const CLI::App& command) {
  std::string out = ".B " + roff(joined(command_words(command), " ")) + "\n[\\fIOPTIONS\\fR]";
  if (!visible_commands(command).empty()) out += " \\fICOMMAND\\fR";
  for (const CLI::Option* option : visible_options(command)) {
    if (!option->get_positional()) continue;
    const std::string term = option_term(*option);
    out += option->get_required() ? " " + term : " [" + term + "]";
  }
  return out + "\n";
}

}  // namespace

std::string man_page(const CLI::App& command) {
  const std::string name = page_name(command);
  std::ostringstream page;
  page << ".TH \"" << roff(upper(name)) << "\" \"1\" \"\" \"cascade " << kVersion
       << "\" \"cascade manual\"\n";
  page << ".SH NAME\n" << roff(name) << " \\- " << roff(command.get_description()) << '\n';
  page << ".SH SYNOPSIS\n" << synopsis(command);
  page << ".SH DESCRIPTION\n" << roff(command.get_description()) << ".\n";
  page << ".PP\nThe full reference is in the documentation shipped with cascade (docs/*.md).\n";
  if (const auto commands = visible_commands(command); !commands.empty()) {
    page << ".SH COMMANDS\n";
    for (const CLI::App* sub : commands) {
      page << ".TP\n.B " << roff(sub->get_name()) << '\n'
           << roff(sub->get_description()) << "; see \\fB" << roff(page_name(*sub)) << "\\fR(1).\n";
    }
  }
  page << ".SH OPTIONS\n";
  for (const CLI::Option* option : visible_options(command)) {
    page << ".TP\n" << option_term(*option) << '\n' << roff(option->get_description()) << '\n';
  }
  const ParsedFooter footer = parse_footer(command.get_footer());
  if (!footer.examples.empty()) {
    page << ".SH EXAMPLES\n";
    for (const auto& example : footer.examples) {
      page << ".PP\n"
           << roff(example.what) << ":\n.PP\n.RS 4\n.nf\n"
           << roff(example.command) << "\n.fi\n.RE\n";
    }
  }
  if (!footer.exit_codes.empty()) {
    page << ".SH \"EXIT STATUS\"\n";
    for (const auto& code : footer.exit_codes) {
      page << ".TP\n.B " << roff(code.code) << '\n' << roff(code.meaning) << '\n';
    }
  }
  page << ".SH \"SEE ALSO\"\n";
  if (command.get_parent() == nullptr) {
    std::vector<std::string> pages;
    for (const CLI::App* sub : visible_commands(command)) {
      pages.push_back("\\fB" + roff(page_name(*sub)) + "\\fR(1)");
    }
    page << joined(pages, ",\n") << '\n';
  } else {
    page << "\\fB" << roff(page_name(*command.get_parent())) << "\\fR(1)\n";
  }
  return page.str();
}

void add_generate_docs_command(CLI::App& app, GenerateDocsArgs& args) {
  CLI::App* cmd =
      app.add_subcommand(kGenerateDocsCommand, "Write the man pages and shell completions");
  cmd->group("");  // for the build, not for users
  cmd->add_option("--man", args.man_dir, "Folder for the man pages")->required();
  cmd->add_option("--completions", args.completions_dir, "Folder for the completion scripts")
      ->required();
}

int run_generate_docs(const CLI::App& app, const GenerateDocsArgs& args) {
  namespace fs = std::filesystem;
  const auto write = [](const fs::path& path, const std::string& content) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) std::cerr << "cascade: cannot write " << path.string() << '\n';
    return static_cast<bool>(out);
  };
  bool ok = true;
  for (const CLI::App* command : all_commands(app)) {
    ok = write(fs::path(args.man_dir) / (page_name(*command) + ".1"), man_page(*command)) && ok;
  }
  const fs::path completions(args.completions_dir);
  ok = write(completions / "cascade.bash", bash_completion(app)) && ok;
  ok = write(completions / "_cascade", zsh_completion(app)) && ok;
  ok = write(completions / "cascade.fish", fish_completion(app)) && ok;
  return ok ? kExitClean : kExitUsage;
}

}  // namespace cascade::cli
