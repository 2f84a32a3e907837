// What a cached result is keyed by besides the file's identity: the options the results depend
// on, the rule set, and the variables a file's rules ran with.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "authenticode/signature.h"
#include "inspect/inspect.h"
#include "scan/cache/scan_cache.h"
#include "scan/container/container.h"
#include "scan/ioc/yara_rules.h"

namespace cascade::scan {

// A digest of everything besides the bytes that a file's inspection, containers and manifests
// depend on: the trust anchors, the signed catalogs, section entropy and the container caps.
// (Feeds and rules are not in it: their results are recomputed or cached apart.)
std::string scan_context_digest(const InspectOptions& inspect, const ContainerLimits& limits);

// The rule set: every rule file's digest, in the order compiled, and the rule count.
std::string rule_set_digest(const YaraRules& rules);

std::string yara_variables_digest(const YaraFileVariables& variables);

// Every certificate indicator feeds match a file's signers by: each signature's signer and
// chain, its timestamps' signers, and Mach-O code signatures' signers and chains.
std::vector<authenticode::CertificateInfo> signer_certificates(const FileReport& report);

// Narrows the window in which `file`'s signature verdicts hold, judged at `now`, by the
// validity bounds of every certificate in `report` (timestamp chains too).
void narrow_judged_window(const FileReport& report, std::time_t now, CachedFile& file);

}  // namespace cascade::scan
