// `cascade attest`: digest a build's materials and products, sign an SLSA provenance statement.
#include <openssl/rand.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "core/mapped_file.h"
#include "core/parallel.h"
#include "core/time.h"
#include "provenance/attest.h"

namespace cascade::cli {
namespace {

std::string random_invocation_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // a version 4 UUID
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  char text[37];
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return std::string("urn:uuid:") + text;
}

// Runs the build command (no shell) with the caller's stdio; its exit status, or -1.
int run_command(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  argv.reserve(command.size() + 1);
  for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::execvp(argv[0], argv.data());
    std::perror(argv[0]);
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool parse_time(const std::string& text, const char* what, std::optional<std::time_t>& out) {
  if (text.empty()) return true;
  out = parse_rfc3339(text);
  if (!out) std::cerr << "cascade: " << what << " is not an RFC 3339 time: " << text << '\n';
  return out.has_value();
}

// An existing bundle --append adds to is read whole; one this large is not a bundle of ours.
constexpr std::size_t kMaxBundleBytes = std::size_t{1} << 30;

bool write_output(const std::string& path, const std::string& line, bool append) {
  if (path == "-") {
    std::cout << line << '\n';
    return static_cast<bool>(std::cout);
  }
  // A new bundle is written beside its final name and renamed, so a reader never sees half.
  const std::string temporary = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (append) {
      // A bundle that is there but not a regular file (a FIFO, say) is refused, not waited on.
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0) {
        auto previous = read_whole_file(path, kMaxBundleBytes);
        if (!previous) {
          std::cerr << "cascade: " << previous.error().message << '\n';
          std::remove(temporary.c_str());
          return false;
        }
        out << *previous;
      }
    }
    out << line << '\n';
    if (!out) {
      std::remove(temporary.c_str());
      return false;
    }
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

// Without --run the build is over by the time it is attested: a time not given is now, so a
// policy's max_age can judge every statement. A start not given is never after the finish.
void record_default_times(provenance::AttestRequest& request) {
  const std::time_t now = std::time(nullptr);
  if (!request.finished) request.finished = std::max(now, request.started.value_or(now));
  if (!request.started) request.started = std::min(now, *request.finished);
}

// The envelope alone, as the one-line bundle graph ingest reads: what --append added to the
// file before is not this build's and was posted (or not) by the run that made it.
int post_envelope(serve::Client& server, const std::string& line, const std::string& output) {
  const auto reply = server.post_document(line + '\n');
  if (serve::classify(reply) == serve::Delivery::kStored) return kExitClean;
  std::cerr << "cascade: the envelope is written to " << output << " but " << server.url()
            << " did not store it (" << (reply ? reply->error_message() : reply.error().message)
            << "); post it again with `cascade graph ingest --to`\n";
  return kExitUsage;
}

}  // namespace

void add_attest_command(CLI::App& app, AttestArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "attest", "Sign SLSA provenance (in-toto Statement v1, DSSE) for a build's products");
  cmd->add_option("--builder-id", args.builder_id, "URI of the builder (the build host/service)")
      ->required();
  cmd->add_option("--build-type", args.build_type, "URI naming the kind of build")->required();
  cmd->add_option("--materials", args.materials,
                  "Inputs: files, directories, archives, or URI@sha256:HEX / URI@gitCommit:HEX")
      ->allow_extra_args(true);
  cmd->add_option("--products", args.products, "Outputs: files or directories")
      ->required()
      ->allow_extra_args(true);
  cmd->add_option("--key", args.key, "Private key (PEM, from `cascade key generate`)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--param", args.params, "External parameter k=v (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--started", args.started, "Build start, RFC 3339 (default: now)");
  cmd->add_option("--finished", args.finished, "Build end, RFC 3339 (default: now)");
  cmd->add_option("--invocation-id", args.invocation_id, "Build run id (default: a new UUID)");
  cmd->add_option("-o,--output", args.output, "Bundle to write (.intoto.jsonl; - for stdout)")
      ->required();
  cmd->add_flag("--append", args.append, "Add the envelope to an existing bundle");
  cmd->add_flag("--expand", args.expand,
                "Also make a subject of every file inside product installers and archives");
  cmd->add_flag("--run", args.run,
                "Run the build command given after --: materials hashed before, products after");
  cmd->add_option("command", args.command, "The build command (with --run, after --)");
  add_threads_option(cmd, args.threads);
  add_server_options(cmd, args.report_to, "--report-to",
                     "Also post the signed envelope (a one-line in-toto bundle, as `graph ingest` "
                     "reads) to this server");
  set_help_footer(cmd,
                  {"Sign provenance for what a build put in dist/",
                   "cascade attest --builder-id https://ci.example.com/app --build-type "
                   "https://example.com/make/v1 --key release-ci.key --products dist/ -o "
                   "dist.intoto.jsonl"},
                  {"Run the build, hashing its materials before and its products after",
                   "cascade attest --builder-id https://ci.example.com/app --build-type "
                   "https://example.com/make/v1 --key release-ci.key --materials src/ --products "
                   "dist/ -o dist.intoto.jsonl --append --run -- cp src/app.exe dist/"},
                  {"0  the statement was signed and written (and, with --report-to, stored)\n"
                   "2  usage error, an input that does not exist or could not be read, a key that "
                   "does not load, a --run build that failed, or a --report-to server that did "
                   "not store the envelope"});
}

int run_attest(const AttestArgs& args) {
  if (args.run == args.command.empty()) {
    std::cerr << "cascade: --run needs a command after --, and a command needs --run\n";
    return kExitUsage;
  }
  auto key = provenance::PrivateKey::load(args.key);
  if (!key) {
    std::cerr << "cascade: " << key.error().message << '\n';
    return kExitUsage;
  }
  // A bad URL or token file stops the run before the build, not after it.
  std::optional<serve::Client> server;
  if (!args.report_to.url.empty()) {
    auto opened = open_server(args.report_to);
    if (!opened) {
      std::cerr << "cascade: " << opened.error().message << '\n';
      return kExitUsage;
    }
    server.emplace(std::move(opened).value());
  }
  provenance::AttestRequest request;
  request.builder_id = args.builder_id;
  request.build_type = args.build_type;
  request.invocation_id = args.invocation_id.empty() ? random_invocation_id() : args.invocation_id;
  for (const auto& param : args.params) {
    const auto eq = param.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "cascade: --param wants k=v, got " << param << '\n';
      return kExitUsage;
    }
    request.external_parameters[param.substr(0, eq)] = param.substr(eq + 1);
  }
  if (!parse_time(args.started, "--started", request.started) ||
      !parse_time(args.finished, "--finished", request.finished)) {
    return kExitUsage;
  }
  const unsigned threads =
      args.threads > 0 ? static_cast<unsigned>(args.threads) : default_thread_count();
  auto materials = provenance::digest_materials(args.materials, threads);
  if (!materials) {
    std::cerr << "cascade: material " << materials.error().message << '\n';
    return kExitUsage;
  }
  if (args.run) {
    request.external_parameters["command"] = args.command;
    request.started = std::time(nullptr);
    const int status = run_command(args.command);
    request.finished = std::time(nullptr);
    if (status != 0) {
      std::cerr << "cascade: the build command failed (exit " << status << "): nothing attested\n";
      return kExitUsage;
    }
    // A material the build itself changed was not what it consumed.
    auto after = provenance::digest_materials(args.materials, threads);
    if (!after) {
      std::cerr << "cascade: material " << after.error().message << '\n';
      return kExitUsage;
    }
    for (std::size_t i = 0; i < after->size() && i < materials->size(); ++i) {
      if ((*after)[i].digest != (*materials)[i].digest) {
        std::cerr << "cascade: material " << (*after)[i].name
                  << " changed during the build: nothing attested\n";
        return kExitUsage;
      }
    }
    if (after->size() != materials->size()) {
      std::cerr << "cascade: materials appeared or vanished during the build: nothing attested\n";
      return kExitUsage;
    }
  }
  request.materials = std::move(materials).value();
  auto products = provenance::digest_paths(args.products, {threads, args.expand});
  if (!products) {
    std::cerr << "cascade: product " << products.error().message << '\n';
    return kExitUsage;
  }
  request.products = std::move(products).value();
  if (!args.run) record_default_times(request);
  auto line = provenance::attest(request, *key);
  if (!line) {
    std::cerr << "cascade: " << line.error().message << '\n';
    return kExitUsage;
  }
  if (!write_output(args.output, *line, args.append)) {
    std::cerr << "cascade: cannot write " << args.output << '\n';
    return kExitUsage;
  }
  if (args.output != "-") {
    std::cerr << "attested " << request.products.size() << " product"
              << (request.products.size() == 1 ? "" : "s") << " and " << request.materials.size()
              << " material" << (request.materials.size() == 1 ? "" : "s") << " as "
              << args.builder_id << ", signed with key " << key->key_id().substr(0, 16) << " -> "
              << args.output << '\n';
  }
  if (server) return post_envelope(*server, *line, args.output);
  return kExitClean;
}

}  // namespace cascade::cli
