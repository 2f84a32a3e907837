#include "report/text_report.h"

#include <cstdio>
#include <ctime>
#include <iomanip>

#include "core/time.h"
#include "report/severity_color.h"
#include "report/text_out.h"

namespace cascade {

namespace {

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

void write_findings(TextOut& out, const FileReport& r, const TextOptions& o) {
  for (const auto& f : r.findings) {
    const std::string sev(severity_name(f.severity));
    out << "  ";
    if (o.color) out << severity_color(f.severity);
    out << std::left << std::setw(9) << sev;
    if (o.color) out << "\033[0m";
    out << f.id << ": " << f.message << '\n';
  }
}

void write_signatures(TextOut& out, const FileReport& r);

// "trusted (microsoft-root-program)", or "untrusted (apple: why)": the set that judged it.
std::string chain_verdict(const authenticode::ChainResult& chain) {
  std::string out = chain.trusted ? "trusted (" : "untrusted (";
  out += authenticode::anchor_set_name(chain.trust_set);
  if (!chain.trusted && chain.problem == authenticode::ChainProblem::kSpoofedAnchor) {
    out += ", SPOOFED";
  }
  return out + ")";
}

void write_pe(TextOut& out, const FileReport& r, const TextOptions& o) {
  const pe::PeImage& pe = *r.pe;
  out << "  " << (pe.pe32_plus ? "PE32+" : "PE32") << ' ' << pe::machine_name(pe.machine) << ' '
      << (pe.is_dll() ? "DLL" : "EXE") << ", subsystem " << pe::subsystem_name(pe.subsystem)
      << ", entry " << hex(pe.entry_point) << ", base " << hex(pe.image_base) << ", timestamp "
      << format_rfc3339(static_cast<std::time_t>(pe.timestamp)) << '\n';
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
  write_signatures(out, r);
}

void write_signatures(TextOut& out, const FileReport& r) {
  for (const auto& s : r.signatures) {
    if (s.kind == authenticode::SignatureKind::kCatalog) {
      out << "  catalog signature: listed in " << s.catalog << " (" << s.digest_algorithm
          << "), catalog signature " << (s.signature_ok ? "ok" : "BAD") << ", chain "
          << chain_verdict(s.chain) << '\n';
    } else {
      out << "  signature " << s.entry_index + 1 << (s.depth ? " (nested)" : "") << ": ";
      // A catalog's own signature covers its content, not an image digest.
      if (!s.signed_digest.empty()) {
        out << s.digest_algorithm << " digest " << (s.digest_ok ? "ok" : "MISMATCH") << ", ";
      }
      out << "signature " << (s.signature_ok ? "ok" : "BAD") << ", chain " << chain_verdict(s.chain)
          << '\n';
    }
    if (s.signer) {
      out << "    signer " << s.signer->subject << " (serial " << s.signer->serial << ")\n";
      out << "    issuer " << s.signer->issuer << ", valid " << s.signer->not_before << " to "
          << s.signer->not_after << '\n';
    }
    for (const auto& t : s.timestamps) {
      out << "    timestamp " << t.time << " (" << authenticode::timestamp_kind_name(t.kind) << ", "
          << (t.trusted() ? "trusted" : "not trusted") << ")\n";
    }
  }
}

void write_list(TextOut& out, const char* label, const std::vector<std::string>& items) {
  if (items.empty()) return;
  out << "  " << label << ':';
  for (const auto& item : items) out << ' ' << item;
  out << '\n';
}

void write_elf(TextOut& out, const FileReport& r, const TextOptions& o) {
  const elf::ElfImage& e = *r.elf;
  out << "  " << (e.is_64 ? "ELF64" : "ELF32") << ' ' << (e.little_endian ? "LE" : "BE") << ' '
      << elf::machine_name(e.machine) << ' ' << elf::type_name(e.type) << ", entry " << hex(e.entry)
      << (e.stripped ? ", stripped" : "") << '\n';
  if (e.interpreter) out << "  interpreter " << *e.interpreter << '\n';
  if (e.soname) out << "  soname " << *e.soname << '\n';
  if (e.build_id) out << "  build-id " << *e.build_id << '\n';
  write_list(out, "needed", e.needed);
  write_list(out, "rpath", e.rpath);
  write_list(out, "runpath", e.runpath);
  out << "  segments:";
  for (const auto& seg : e.segments) {
    out << ' ' << elf::segment_type_name(seg.type) << '(' << ((seg.flags & elf::kPfR) ? "r" : "")
        << (seg.writable() ? "w" : "") << (seg.executable() ? "x" : "") << ')';
  }
  out << '\n';
  out << "  dynamic symbols: " << e.imports.size() << " imported, " << e.exports.size()
      << " exported\n";
  if (o.verbose) {
    for (const auto& s : e.sections) {
      out << "    section " << s.name << ' ' << s.size << " bytes, entropy " << fixed2(s.entropy)
          << '\n';
    }
    for (const auto& s : e.imports) {
      out << "    import " << s.name << (s.version.empty() ? "" : "@" + s.version) << '\n';
    }
    for (const auto& s : e.exports) {
      out << "    export " << s.name << (s.version.empty() ? "" : "@" + s.version) << '\n';
    }
  }
  if (r.overlay) {
    out << "  overlay: " << r.overlay->size << " bytes at " << hex(r.overlay->offset)
        << ", entropy " << fixed2(r.overlay_entropy) << '\n';
  }
}

void write_macho_slice(TextOut& out, const MachoSliceReport& s, const TextOptions& o) {
  if (!s.image) {
    out << "  slice at " << hex(s.slice.offset) << ": " << s.error << '\n';
    return;
  }
  const macho::MachoImage& m = *s.image;
  out << "  Mach-O " << macho::cpu_name(m.cputype, m.cpusubtype) << ' '
      << macho::filetype_name(m.filetype);
  if (s.slice.offset != 0) out << " (slice at " << hex(s.slice.offset) << ')';
  if (m.uuid) out << ", uuid " << *m.uuid;
  if (m.build_version) {
    out << ", " << m.build_version->platform << ' ' << m.build_version->minos;
  }
  out << '\n';
  std::vector<std::string> dylibs;
  for (const auto& d : m.dylibs)
    dylibs.push_back(d.kind == macho::DylibKind::kLoad
                         ? d.name
                         : std::string(macho::dylib_kind_name(d.kind)) + ":" + d.name);
  write_list(out, "dylibs", dylibs);
  write_list(out, "rpaths", m.rpaths);
  out << "  symbols: " << m.imports.size() << " imported, " << m.exports.size() << " exported\n";
  if (o.verbose) {
    for (const auto& lc : m.load_commands) out << "    " << lc.name << " (" << lc.size << ")\n";
  }
  if (!m.code_signature) {
    out << "  code signature: none\n";
    return;
  }
  const macho::CodeSignature& cs = *m.code_signature;
  for (const auto& cd : cs.directories) {
    out << "  code directory" << (cd.alternate ? " (alternate)" : "") << ": "
        << macho::code_directory_hash_name(cd.hash_type) << ", identifier " << cd.identifier;
    if (!cd.team_id.empty()) out << ", team " << cd.team_id;
    out << ", cdhash " << cd.cdhash << ", pages "
        << (!cd.checked         ? std::string("NOT CHECKED")
            : cd.bad_pages == 0 ? std::string("ok")
                                : std::to_string(cd.bad_pages) + " BAD")
        << '\n';
  }
  out << "  signature: "
      << (cs.directories.empty() ? "present, unreadable"
          : cs.adhoc             ? "ad hoc"
          : cs.cms_present       ? "CMS"
                                 : "none");
  if (cs.cms_present) {
    out << ", " << (cs.cms_signature_ok ? "verifies" : "BAD") << ", chain "
        << chain_verdict(cs.chain);
    if (cs.apple_identity != macho::AppleIdentity::kNone)
      out << ", " << macho::apple_identity_name(cs.apple_identity);
    if (!cs.team_id.empty()) out << " (team " << cs.team_id << ")";
  }
  if (cs.hardened_runtime) out << ", hardened runtime";
  if (cs.library_validation) out << ", library validation";
  out << '\n';
  if (cs.signer) out << "    signer " << cs.signer->subject << '\n';
}

void write_msi(TextOut& out, const FileReport& r, const TextOptions& o) {
  const msi::MsiPackage& m = *r.msi;
  out << "  MSI \"" << m.product_name << "\" " << m.product_version << " by " << m.manufacturer
      << "; " << m.streams.size() << " streams, " << m.install_names.size() << " files\n";
  write_list(out, "cabinets", m.cabinets);
  if (o.verbose) {
    for (const auto& [key, path] : m.install_names)
      out << "    file " << key << " -> " << path << '\n';
    for (const auto& s : m.streams) {
      // OLE's reserved names start with control characters ("\x05DigitalSignature").
      out << "    stream " << s.name << " (" << s.size << ")\n";
    }
  }
  if (!m.has_signature) out << "  signature: none\n";
  if (m.has_signature_ex) out << "  MsiDigitalSignatureEx: present (metadata pre-hash)\n";
  write_signatures(out, r);
}

}  // namespace

void write_text_report(std::ostream& stream, const FileReport& r, const TextOptions& o) {
  TextOut out(stream);  // every string from the file is made printable
  if (o.color) out << "\033[1m";
  out << r.path;
  if (o.color) out << "\033[0m";
  out << "  [" << file_format_name(r.format) << ", " << r.size << " bytes]\n";
  if (!r.error.empty()) out << "  error: " << r.error << '\n';
  write_findings(out, r, o);
  out << "  sha256 " << r.hashes.sha256 << '\n';
  if (r.hashes.sha1) out << "  sha1   " << *r.hashes.sha1 << '\n';
  if (r.hashes.md5) out << "  md5    " << *r.hashes.md5 << '\n';
  if (r.pe) write_pe(out, r, o);
  if (r.elf) write_elf(out, r, o);
  for (const auto& s : r.macho_slices) write_macho_slice(out, s, o);
  if (r.msi) write_msi(out, r, o);
  if (r.catalog) {
    out << "  catalog: " << r.catalog->members << " members (" << r.catalog->named
        << " named), made " << (r.catalog->this_update.empty() ? "?" : r.catalog->this_update)
        << '\n';
  }
  // Formats without a signature section of their own still show the catalogs that list them.
  if (!r.pe && !r.msi && !r.signatures.empty()) write_signatures(out, r);
  out << '\n';
}

}  // namespace cascade
