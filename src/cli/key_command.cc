// `cascade key generate` and `cascade key id`: signing keys for attest, ids for policies.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "provenance/keys.h"

namespace cascade::cli {
namespace {

// Writes `text` to a new file with `mode`; never replaces an existing one unless `force`.
bool write_new_file(const std::string& path, const std::string& text, mode_t mode, bool force) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
  const int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0) {
    std::cerr << "cascade: cannot create " << path
              << (errno == EEXIST ? " (it exists; --force replaces it)" : "") << '\n';
    return false;
  }
  ::fchmod(fd, mode);  // an existing file keeps its old mode otherwise
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      std::cerr << "cascade: writing " << path << " failed\n";
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::close(fd) == 0;
}

int generate(const KeyArgs& args) {
  const auto type =
      args.type == "ecdsa-p256" ? provenance::KeyType::kEcdsaP256 : provenance::KeyType::kEd25519;
  auto key = provenance::PrivateKey::generate(type);
  if (!key) {
    std::cerr << "cascade: " << key.error().message << '\n';
    return kExitUsage;
  }
  auto private_pem = key->pem();
  if (!private_pem) {
    std::cerr << "cascade: " << private_pem.error().message << '\n';
    return kExitUsage;
  }
  const std::string private_path = args.output + ".key";
  const std::string public_path = args.output + ".pub";
  if (!write_new_file(private_path, *private_pem, 0600, args.force) ||
      !write_new_file(public_path, key->public_key().pem(), 0644, args.force)) {
    return kExitUsage;
  }
  std::cout << "private key  " << private_path << " (keep it secret)\n"
            << "public key   " << public_path << " (list it in verify policies)\n"
            << "type         " << provenance::key_type_name(key->type()) << '\n'
            << "key id       " << key->key_id() << '\n';
  return kExitClean;
}

int print_id(const KeyArgs& args) {
  auto key = provenance::PublicKey::load(args.key_file);
  if (!key) {
    std::cerr << "cascade: " << key.error().message << '\n';
    return kExitUsage;
  }
  std::cout << key->key_id() << '\n';
  return kExitClean;
}

}  // namespace

void add_key_command(CLI::App& app, KeyArgs& args) {
  CLI::App* cmd = app.add_subcommand("key", "Make signing keys for attest, show key ids");
  cmd->require_subcommand(1);
  CLI::App* generate_cmd =
      cmd->add_subcommand("generate", "Write PREFIX.key (private, mode 0600) and PREFIX.pub");
  generate_cmd->add_option("--type", args.type, "ed25519 (default) or ecdsa-p256")
      ->check(CLI::IsMember({"ed25519", "ecdsa-p256"}));
  generate_cmd->add_option("-o,--output", args.output, "Path prefix of the two files")->required();
  generate_cmd->add_flag("--force", args.force, "Replace existing files");
  CLI::App* id_cmd = cmd->add_subcommand(
      "id", "Print a key's id: SHA-256 of its SubjectPublicKeyInfo DER (public or private file)");
  id_cmd->add_option("file", args.key_file, "PEM key, or in-toto key JSON")
      ->required()
      ->check(CLI::ExistingFile);
  set_help_footer(
      cmd,
      {"Make an Ed25519 key pair: release-ci.key and release-ci.pub",
       "cascade key generate -o release-ci"},
      {"Print the key id a policy and an envelope name it by", "cascade key id release-ci.pub"},
      {"0  the keys were written, or the id printed\n"
       "2  usage error, or a key file that does not exist, does not load or cannot be "
       "written"});
}

int run_key(const CLI::App& app, const KeyArgs& args) {
  if (app.got_subcommand("generate")) return generate(args);
  if (app.got_subcommand("id")) return print_id(args);
  return kExitUsage;
}

}  // namespace cascade::cli
