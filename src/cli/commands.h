#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/server_options.h"
#include "cli/trust_args.h"
#include "cli/version.h"  // generated from CMake's project() version
#include "graph/csr.h"
#include "graph/store.h"
#include "graph/trace.h"

namespace cascade::cli {

inline constexpr const char* kVersion = CASCADE_VERSION;
inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

struct InspectArgs {
  std::vector<std::string> files;
  bool json = false;
  bool hashes = false;
  bool verbose = false;
  TrustArgs trust;
  std::string fail_on = "high";
  std::string color = "auto";
  int threads = 0;  // 0: one per core
};

void add_inspect_command(CLI::App& app, InspectArgs& args);
int run_inspect(const InspectArgs& args);

struct ScanArgs {
  std::vector<std::string> paths;
  std::vector<std::string> iocs;
  std::vector<std::string> rules;
  TrustArgs trust;
  std::string host;  // default: gethostname()
  int threads = 0;   // 0: one per core
  std::vector<std::string> excludes;
  bool one_file_system = false;
  int max_depth = 8;
  int expansion_memory_mib = 1024;
  bool json = false;
  bool jsonl = false;
  std::string sarif;
  std::string fail_on = "high";
  int top = 25;
  std::string color = "auto";
  std::string cache;                          // --cache FILE; empty with --cache alone: the default
  const CLI::Option* cache_option = nullptr;  // given at all?
  bool no_cache = false;
  ServerArgs report_to;  // --report-to URL: post the cascade.scan/1 report when the scan ends
};

void add_scan_command(CLI::App& app, ScanArgs& args);
int run_scan(const ScanArgs& args);

struct DiffArgs {
  std::string old_path;
  std::string new_path;
  bool json = false;
  std::string sarif;
  TrustArgs trust;
  std::string baseline;
  std::string capabilities;
  std::vector<std::string> details;
  bool all = false;
  int strip_prefix = 0;  // leading components dropped from an archive side's paths
  std::string fail_on = "high";
  int top = 50;
  int threads = 0;  // 0: one per core
  std::string color = "auto";
};

void add_diff_command(CLI::App& app, DiffArgs& args);
int run_diff(const DiffArgs& args);

struct KeyArgs {
  std::string type = "ed25519";  // ed25519 or ecdsa-p256
  std::string output;            // PREFIX: PREFIX.key and PREFIX.pub
  std::string key_file;          // for `key id`
  bool force = false;
};

// `cascade key generate` and `cascade key id`.
void add_key_command(CLI::App& app, KeyArgs& args);
int run_key(const CLI::App& app, const KeyArgs& args);

struct AttestArgs {
  std::string builder_id;
  std::string build_type;
  std::vector<std::string> materials;
  std::vector<std::string> products;
  std::string key;
  std::vector<std::string> params;  // k=v
  std::string started;
  std::string finished;
  std::string invocation_id;
  std::string output;
  bool append = false;
  bool expand = false;
  bool run = false;
  std::vector<std::string> command;  // after `--` with --run
  int threads = 0;
  ServerArgs report_to;  // --report-to URL: post the signed envelope
};

void add_attest_command(CLI::App& app, AttestArgs& args);
int run_attest(const AttestArgs& args);

struct VerifyArgs {
  std::string release;
  std::vector<std::string> attestations;
  std::string policy;
  bool json = false;
  std::string sarif;
  std::string at;  // verify as of this time (default: now)
  std::string fail_on = "high";
  int threads = 0;
  std::string color = "auto";
};

void add_verify_command(CLI::App& app, VerifyArgs& args);
int run_verify(const VerifyArgs& args);

struct RebuildCompareArgs {
  std::string first;
  std::string second;
  bool json = false;
  bool include_build_id = false;  // ELF: compare the build-id note too
  std::string fail_on = "high";
  std::string color = "auto";
};

void add_rebuild_compare_command(CLI::App& app, RebuildCompareArgs& args);
int run_rebuild_compare(const RebuildCompareArgs& args);

struct GraphArgs {
  std::string db;  // default: $CASCADE_DB, else cascade.db in the working directory
  std::vector<std::string> files;
  bool json = false;
  ServerArgs to;  // ingest --to URL: post each document instead of storing it here
};

// `cascade graph ingest FILE...`, `cascade graph stats` and `cascade graph check`.
void add_graph_command(CLI::App& app, GraphArgs& args);
int run_graph(const CLI::App& app, const GraphArgs& args);

struct TraceArgs {
  std::string db;
  std::string compromised;  // NODE
  std::string root_cause;   // NODE
  std::string since;        // RFC 3339
  bool json = false;
  std::string dot;   // FILE, or - for stdout
  std::string html;  // FILE
  std::string color = "auto";
  std::optional<std::size_t> top;  // text: nodes listed per kind, or root-cause candidates
  bool all = false;                // text: list every node
  ServerArgs server;               // --server URL: ask cascade serve instead of a local store
};

void add_trace_command(CLI::App& app, TraceArgs& args);
int run_trace(const TraceArgs& args);
// The outputs of a trace answer, local or served: --dot, --html, then --json or the text.
int print_trace(const TraceArgs& args, const graph::TraceResult& result);

// graph ingest --to and trace --server: the same commands answered by cascade serve
// (server_commands.cc).
int ingest_to_server(const GraphArgs& args);
int trace_on_server(const TraceArgs& args, const graph::NodeRef& seed);

struct HuntArgs {
  std::vector<std::string> iocs;
  std::string db;
  bool json = false;
  bool trace = false;
  std::string color = "auto";
};

void add_hunt_command(CLI::App& app, HuntArgs& args);
int run_hunt(const HuntArgs& args);

// The inventory options graph, trace and hunt share (graph_command.cc).
void add_db_option(CLI::App* cmd, std::string& db);
// The store --db names (default $CASCADE_DB, else ./cascade.db), as a spec and opened.
std::string database_spec(const std::string& given);
Result<std::unique_ptr<graph::GraphStore>> open_inventory(
    const std::string& given, graph::OpenMode mode = graph::OpenMode::kCreateIfMissing);

// An existing inventory with its graph loaded for one direction of search, under a read snapshot
// so the load and the answer's lookups see one committed state, whatever is ingested meanwhile.
// Members are destroyed graph first, store last.
struct LoadedInventory {
  std::unique_ptr<graph::GraphStore> store;
  std::optional<graph::StoreSnapshot> snapshot;
  graph::CsrGraph graph;
};
Result<LoadedInventory> load_inventory(const std::string& given, graph::Direction direction);

struct ServeArgs {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert;
  std::string tls_key;
  std::string max_body = "64M";
  bool insecure_http = false;
  int threads = 8;
  double rate_limit = 50;  // requests a second per token; 0: none
  // serve token create | list | revoke
  std::string scope;
  std::string name;
  bool json = false;
};

void add_serve_command(CLI::App& app, ServeArgs& args);
int run_serve(const CLI::App& app, const ServeArgs& args);

struct TrustCommandArgs {
  TrustArgs trust;  // for `trust list`: the stores a command with these options would load
  bool json = false;
  bool verbose = false;  // every anchor, not only the counts
  std::string stl;       // `trust update AUTHROOT.stl ROOTS.pem`
  std::string roots;
  bool allow_older = false;
};

// `cascade trust list` and `cascade trust update`.
void add_trust_command(CLI::App& app, TrustCommandArgs& args);
int run_trust(const CLI::App& app, const TrustCommandArgs& args);

struct VersionArgs {
  bool json = false;
};

// `cascade version`: this build's version and commit and the libraries it runs with; the text
// is also what `cascade --version` prints.
void add_version_command(CLI::App& app, VersionArgs& args);
std::string version_text();
int run_version(const VersionArgs& args);

}  // namespace cascade::cli
