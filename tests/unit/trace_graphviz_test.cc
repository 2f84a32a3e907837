// The trace pictures: DOT for the explaining subgraph (one node per distinct node, escaped
// labels, nearest-first truncation, stable output) and the HTML page around `dot -Tsvg`, with
// dot missing, failing or hanging reported as errors.
#include "report/trace_graphviz.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace cascade::report {
namespace {

using graph::AffectedNode;
using graph::EdgeKind;
using graph::NodeKind;
using graph::NodeRef;
using graph::PathHop;
using graph::TraceResult;

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kStart = 1700000000;  // 2023-11-14T22:13:20Z

NodeRef node(NodeKind kind, std::string key) {
  return NodeRef{kind, std::move(key)};
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

PathHop hop(const NodeRef& from, const NodeRef& to, EdgeKind edge, std::int64_t time) {
  PathHop h;
  h.from = from;
  h.to = to;
  h.edge = edge;
  h.time = time;
  h.source_path = "docs/events.jsonl";
  h.source_sha256 = std::string(64, 'd');
  h.source_format = "events";
  return h;
}

// Forward from one artifact along a chain, each affected node carrying its whole path; the
// paths share prefixes, as real answers do, so the picture must merge them.
TraceResult chain_result(const std::vector<std::pair<NodeRef, EdgeKind>>& chain) {
  TraceResult result;
  result.seed = node(NodeKind::kArtifact, std::string(64, 'a'));
  result.seed_known = true;
  result.since = kStart;
  result.nodes_in_graph = 100;
  result.edges_in_graph = 200;
  std::vector<PathHop> path;
  NodeRef previous = result.seed;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const std::int64_t time = kStart + static_cast<std::int64_t>(i + 1) * kDay;
    path.push_back(hop(previous, chain[i].first, chain[i].second, time));
    AffectedNode affected;
    affected.node = chain[i].first;
    affected.time = time;
    affected.path = path;
    affected.hops = path.size();
    if (affected.node.kind == NodeKind::kArtifact) affected.names = {"app.dll", "setup.exe"};
    result.affected.push_back(std::move(affected));
    previous = chain[i].first;
  }
  return result;
}

TraceResult sample_result() {
  return chain_result({
      {node(NodeKind::kHost, "build-01"), EdgeKind::kRanOn},
      {node(NodeKind::kBuild, "run-42"), EdgeKind::kBuiltOn},
      {node(NodeKind::kArtifact, std::string(64, 'b')), EdgeKind::kProduced},
      {node(NodeKind::kRelease, "app@1.0"), EdgeKind::kContains},
      {node(NodeKind::kHost, "prod-7"), EdgeKind::kDeployedOn},
      {node(NodeKind::kOrg, "acme"), EdgeKind::kOwnedBy},
  });
}

// A star: the seed reaches `count` hosts directly, named h00, h01, ...
TraceResult star_result(std::size_t hosts) {
  TraceResult result;
  result.seed = node(NodeKind::kArtifact, std::string(64, 'a'));
  for (std::size_t i = 0; i < hosts; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "h%02zu", i);
    AffectedNode affected;
    affected.node = node(NodeKind::kHost, name);
    affected.time = kStart;
    affected.path = {hop(result.seed, affected.node, EdgeKind::kRanOn, kStart)};
    affected.hops = 1;
    result.affected.push_back(std::move(affected));
  }
  return result;
}

std::size_t node_lines(const std::string& dot) {
  return count(dot, "[shape=");
}
std::size_t edge_lines(const std::string& dot) {
  return count(dot, "\" -> \"");
}

// An executable shell script in the test's temporary directory.
std::string write_script(const std::string& name, const std::string& body) {
  const std::string path =
      ::testing::TempDir() + "cascade-graphviz-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << body;
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST(TraceGraphvizDot, OneNodePerDistinctNodeAndOneEdgePerHop) {
  const std::string dot = trace_dot(sample_result());
  EXPECT_EQ(dot.rfind("digraph cascade {\n", 0), 0u);
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
  // Six affected nodes plus the seed; the six paths share prefixes, so six distinct hops.
  EXPECT_EQ(node_lines(dot), 7u);
  EXPECT_EQ(edge_lines(dot), 6u);
  EXPECT_EQ(count(dot, "omitted"), 0u);
}

TEST(TraceGraphvizDot, ShapesLabelsAndSeed) {
  const std::string dot = trace_dot(sample_result());
  for (const char* shape :
       {"shape=note", "shape=box", "shape=component", "shape=folder", "shape=house"}) {
    EXPECT_NE(dot.find(shape), std::string::npos) << shape;
  }
  // Artifacts: digest prefix and one name, never the whole digest.
  EXPECT_NE(dot.find("sha256:bbbbbbbbbbbb\u2026\\napp.dll (+1)"), std::string::npos) << dot;
  EXPECT_EQ(dot.find(std::string(64, 'b')), std::string::npos);
  EXPECT_EQ(count(dot, "penwidth=3"), 1u);
  EXPECT_NE(dot.find("\\nseed\\nsince 2023-11-14T22:13:20Z"), std::string::npos);
  EXPECT_NE(dot.find("label=\"ran-on\\n2023-11-15\""), std::string::npos);
  EXPECT_NE(dot.find("at 2023-11-16T22:13:20Z"), std::string::npos);
}

TEST(TraceGraphvizDot, HostileKeysAreEscaped) {
  // Short enough (29 code points) that the label keeps all of it.
  const std::string hostile = "ev\x01il\"host\\N\nx\xff</svg><script>";
  TraceResult result = chain_result({{node(NodeKind::kHost, hostile), EdgeKind::kRanOn}});
  const std::string dot = trace_dot(result);
  // Quote and backslash escaped; the newline, control byte and invalid UTF-8 shown as text.
  EXPECT_NE(dot.find("label=\"host\\nev\\\\x01il\\\"host\\\\N\\\\x0Ax\\\\xFF</svg><script>\\n"),
            std::string::npos)
      << dot;
  EXPECT_EQ(dot.find("\nx"), std::string::npos);
  EXPECT_EQ(dot.find('\x01'), std::string::npos);
  EXPECT_EQ(dot.find('\xff'), std::string::npos);
  // Every line is a statement (no key smuggled a line break into the file).
  std::size_t lines = count(dot, "\n");
  EXPECT_EQ(lines, 4u /*header, attributes*/ + 2u /*nodes*/ + 1u /*edge*/ + 1u /*close*/);
}

TEST(TraceGraphvizDot, TruncatesToTheNearestNodesWithANote) {
  const TraceResult result = sample_result();
  GraphvizOptions options;
  options.max_nodes = 4;
  const std::string dot = trace_dot(result, options);
  EXPECT_EQ(node_lines(dot), 4u + 1u);  // the note is a node too
  EXPECT_NE(dot.find("3 more nodes not shown (nearest 4 kept)"), std::string::npos) << dot;
  // Seed, host, build and artifact are 0-3 hops away; release, prod host and org are dropped
  // with their edges.
  EXPECT_NE(dot.find("run-42"), std::string::npos);
  EXPECT_EQ(dot.find("app@1.0"), std::string::npos);
  EXPECT_EQ(dot.find("acme"), std::string::npos);
  EXPECT_EQ(edge_lines(dot), 3u);
}

TEST(TraceGraphvizDot, TruncationTiesGoByNodeString) {
  GraphvizOptions options;
  options.max_nodes = 3;
  const std::string dot = trace_dot(star_result(10), options);
  EXPECT_NE(dot.find("h00"), std::string::npos);
  EXPECT_NE(dot.find("h01"), std::string::npos);
  EXPECT_EQ(dot.find("h02"), std::string::npos);
  EXPECT_NE(dot.find("8 more nodes not shown"), std::string::npos);
}

TEST(TraceGraphvizDot, DeterministicWhateverTheInputOrder) {
  TraceResult result = sample_result();
  const TraceResult star = star_result(20);
  result.affected.insert(result.affected.end(), star.affected.begin(), star.affected.end());
  const std::string first = trace_dot(result);
  std::mt19937 shuffle_seed(7);
  std::shuffle(result.affected.begin(), result.affected.end(), shuffle_seed);
  EXPECT_EQ(trace_dot(result), first);
  EXPECT_EQ(node_lines(first), 27u);
}

TEST(TraceGraphvizDot, RootCausePathsPointAtTheSeed) {
  TraceResult result;
  result.root_cause = true;
  result.seed = node(NodeKind::kHost, "victim");
  const NodeRef build = node(NodeKind::kBuild, "b1");
  const NodeRef artifact = node(NodeKind::kArtifact, std::string(64, 'c'));
  AffectedNode near;
  near.node = artifact;
  near.path = {hop(artifact, result.seed, EdgeKind::kRanOn, kStart)};
  near.hops = 1;
  AffectedNode far;
  far.node = build;
  far.path = {hop(build, artifact, EdgeKind::kProduced, kStart - kDay), near.path.front()};
  far.hops = 2;
  far.signals = {"ioc.hash (sha256:cc)"};
  result.affected = {far, near};
  GraphvizOptions options;
  options.max_nodes = 2;  // the seed and the artifact one hop upstream
  const std::string dot = trace_dot(result, options);
  EXPECT_NE(dot.find("seed (known bad)"), std::string::npos);
  EXPECT_NE(dot.find("sha256:cccccccccccc"), std::string::npos);
  EXPECT_EQ(dot.find("build\\nb1"), std::string::npos);
  EXPECT_NE(trace_dot(result).find("build\\nb1"), std::string::npos);
  EXPECT_EQ(edge_lines(dot), 1u);
  EXPECT_EQ(edge_lines(trace_dot(result)), 2u);
}

TEST(TraceGraphvizHtml, SelfContainedPageWithOneSvgAndTables) {
  const Result<std::string> page = trace_html(sample_result());
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string& html = *page;
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count(html, "<svg"), 1u);
  EXPECT_EQ(count(html, "</svg>"), 1u);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_EQ(html.find("<!DOCTYPE svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("cascade trace (forward): <code>sha256:" + std::string(64, 'a')),
            std::string::npos);
  // Counts table (header + 5 kinds) plus, per kind present, a header and its rows.
  EXPECT_EQ(count(html, "<tr>"), 6u + 5u /*kinds present*/ + 6u /*affected*/);
  EXPECT_NE(html.find("<td><code>host:prod-7</code></td><td>2023-11-19T22:13:20Z</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<h2>Hosts (2)</h2>"), std::string::npos);
  EXPECT_NE(html.find("from docs/events.jsonl (events) sha256:dddddddddddd"), std::string::npos);
  EXPECT_NE(html.find("app.dll<br>setup.exe"), std::string::npos);
}

TEST(TraceGraphvizHtml, HostileKeysAreEscapedInTheSvgAndTables) {
  const std::string hostile = "x\"</svg><script>alert(1)</script><svg onload=alert(2)>&amp;";
  TraceResult result = chain_result({{node(NodeKind::kHost, hostile), EdgeKind::kRanOn},
                                     {node(NodeKind::kOrg, "o\\N\nx"), EdgeKind::kOwnedBy}});
  result.affected[0].names = {"<img src=x onerror=alert(3)>"};
  PathHop first = result.affected[0].path.front();
  first.source_path = "</td><script>";
  result.affected[0].path = {first};
  const Result<std::string> page = trace_html(result);
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string& html = *page;
  EXPECT_EQ(count(html, "<svg"), 1u);
  EXPECT_EQ(count(html, "</svg>"), 1u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("x&quot;&lt;/svg&gt;&lt;script&gt;alert(1)"), std::string::npos);
  EXPECT_NE(html.find("&amp;amp;"), std::string::npos);
  EXPECT_NE(html.find("o\\N\\x0Ax"), std::string::npos);
}

TEST(TraceGraphvizHtml, RootCauseShowsRankAndSignals) {
  TraceResult result;
  result.root_cause = true;
  result.seed = node(NodeKind::kHost, "victim");
  AffectedNode candidate;
  candidate.node = node(NodeKind::kArtifact, std::string(64, 'c'));
  candidate.path = {hop(candidate.node, result.seed, EdgeKind::kRanOn, kStart)};
  candidate.hops = 1;
  candidate.signals = {"ioc.hash (sha256:cc)"};
  result.affected = {candidate};
  const Result<std::string> page = trace_html(result);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_NE(page->find("cascade trace (root cause): <code>host:victim</code>"), std::string::npos);
  EXPECT_NE(page->find("<th>rank</th>"), std::string::npos);
  EXPECT_NE(page->find("ioc.hash (sha256:cc)"), std::string::npos);
  EXPECT_NE(page->find("<td>unbounded</td>"), std::string::npos);
}

TEST(TraceGraphvizHtml, MissingDotIsAnError) {
  GraphvizOptions options;
  options.dot_program = "/nonexistent/dot";
  const Result<std::string> page = trace_html(sample_result(), options);
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.error().message.find("/nonexistent/dot"), std::string::npos);
  EXPECT_NE(page.error().message.find("No such file"), std::string::npos);
}

TEST(TraceGraphvizHtml, FailingDotIsAnErrorWithItsMessage) {
  GraphvizOptions options;
  options.dot_program =
      write_script("fail", "#!/bin/sh\necho 'syntax error in line 3' >&2\nexit 3\n");
  const Result<std::string> page = trace_html(sample_result(), options);
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.error().message.find("exit status 3"), std::string::npos) << page.error().message;
  EXPECT_NE(page.error().message.find("syntax error in line 3"), std::string::npos);
  ::unlink(options.dot_program.c_str());
}

TEST(TraceGraphvizHtml, DotThatStopsReadingIsAnErrorNotSigpipe) {
  // A graph far larger than the socket buffer; the child exits at once without reading it.
  GraphvizOptions options;
  options.dot_program = write_script("quit", "#!/bin/sh\nexit 0\n");
  options.max_nodes = 100000;
  const Result<std::string> page = trace_html(star_result(5000), options);
  ASSERT_FALSE(page.ok());
  ::unlink(options.dot_program.c_str());
}

TEST(TraceGraphvizHtml, HangingDotIsKilledAtTheTimeout) {
  GraphvizOptions options;
  options.dot_program = write_script("sleep", "#!/bin/sh\nsleep 30\n");
  options.dot_timeout_seconds = 1;
  const auto start = std::chrono::steady_clock::now();
  const Result<std::string> page = trace_html(sample_result(), options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.error().message.find("did not finish within 1 s"), std::string::npos)
      << page.error().message;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  ::unlink(options.dot_program.c_str());
}

}  // namespace
}  // namespace cascade::report
