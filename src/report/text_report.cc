#include "report/text_report.h"

#include <cstdio>
#include <iomanip>

namespace cascade {

namespace {

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "\033[1;31m";
    case Severity::kHigh:
      return "\033[31m";
    case Severity::kMedium:
      return "\033[33m";
    case Severity::kLow:
      return "\033[36m";
    case Severity::kInfo:
      return "\033[2m";
  }
  return "";
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string fixed2(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

void write_findings(std::ostream& out, const FileReport& r, const TextOptions& o) {
  for (const auto& f : r.findings) {
    const std::string sev(severity_name(f.severity));
    out << "  ";
    if (o.color) out << severity_color(f.severity);
    out << std::left << std::setw(9) << sev;
    if (o.color) out << "\033[0m";
    out << f.id << ": " << f.message << '\n';
  }
}

void write_pe(std::ostream& out, const FileReport& r, const TextOptions& o) {
  const pe::PeImage& pe = *r.pe;
  out << "  " << (pe.pe32_plus ? "PE32+" : "PE32") << ' ' << pe::machine_name(pe.machine) << ' '
      << (pe.is_dll() ? "DLL" : "EXE") << ", subsystem " << pe::subsystem_name(pe.subsystem)
      << ", entry " << hex(pe.entry_point) << ", base " << hex(pe.image_base) << ", timestamp "
      << pe.timestamp << '\n';
  out << "  imphash " << (r.imphash.empty() ? "-" : r.imphash) << ", checksum stored "
      << hex(pe.checksum_stored) << " computed " << hex(pe.checksum_computed) << '\n';
  if (pe.version) {
    out << "  version:";
    for (const auto& [k, v] : pe.version->strings) {
      if (k == "CompanyName" || k == "FileDescription" || k == "FileVersion" ||
          k == "ProductName" || k == "OriginalFilename" || o.verbose) {
        out << ' ' << k << "=\"" << v << '"';
      }
    }
    out << '\n';
  }
  out << "  sections:";
  for (const auto& s : pe.sections) {
    out << ' ' << s.name << '(' << (s.executable() ? "x" : "") << (s.writable() ? "w" : "") << ' '
        << fixed2(s.entropy) << ')';
  }
  out << '\n';
  std::size_t functions = 0, delay = 0;
  for (const auto& d : pe.imports) (d.delay_load ? delay : functions) += d.functions.size();
  out << "  imports: " << functions << " functions";
  if (delay != 0) out << ", " << delay << " delay-load";
  out << "; exports: " << pe.exports.size() << '\n';
  if (o.verbose) {
    for (const auto& d : pe.imports) {
      out << "    " << (d.delay_load ? "delay " : "") << d.name << ':';
      for (const auto& f : d.functions) {
        out << ' ' << (f.ordinal ? "#" + std::to_string(*f.ordinal) : f.name);
      }
      out << '\n';
    }
    for (const auto& e : pe.exports) {
      out << "    export #" << e.ordinal << ' ' << (e.name.empty() ? "-" : e.name);
      if (!e.forwarder.empty()) out << " -> " << e.forwarder;
      out << '\n';
    }
  }
  if (r.overlay) {
    out << "  overlay: " << r.overlay->size << " bytes at " << hex(r.overlay->offset)
        << ", entropy " << fixed2(r.overlay_entropy) << '\n';
  }
  for (const auto& s : r.signatures) {
    out << "  signature " << s.entry_index + 1 << (s.depth ? " (nested)" : "") << ": "
        << s.digest_algorithm << " digest " << (s.digest_ok ? "ok" : "MISMATCH") << ", signature "
        << (s.signature_ok ? "ok" : "BAD") << ", chain "
        << (s.chain.trusted ? "trusted" : "untrusted") << '\n';
    if (s.signer) {
      out << "    signer " << s.signer->subject << " (serial " << s.signer->serial << ")\n";
      out << "    issuer " << s.signer->issuer << ", valid " << s.signer->not_before << " to "
          << s.signer->not_after << '\n';
    }
    for (const auto& t : s.timestamps) {
      out << "    timestamp " << t.time << " (" << t.kind << ", "
          << (t.trusted() ? "trusted" : "not trusted") << ")\n";
    }
  }
}

}  // namespace

void write_text_report(std::ostream& out, const FileReport& r, const TextOptions& o) {
  if (o.color) out << "\033[1m";
  out << r.path;
  if (o.color) out << "\033[0m";
  out << "  [" << r.format << ", " << r.size << " bytes]\n";
  if (!r.error.empty()) out << "  error: " << r.error << '\n';
  write_findings(out, r, o);
  out << "  sha256 " << r.hashes.sha256 << '\n';
  if (r.hashes.sha1) out << "  sha1   " << *r.hashes.sha1 << '\n';
  if (r.hashes.md5) out << "  md5    " << *r.hashes.md5 << '\n';
  if (r.pe) write_pe(out, r, o);
  out << '\n';
}

}  // namespace cascade
