// CSV feeds (RFC 4180: quoted fields, "" escapes, line breaks inside quotes, CRLF or LF) whose
// header row names the hash columns, or, for a signer block-list, thumbprint/serial columns.
// Blank lines and lines starting with '#' are skipped.
#include <algorithm>
#include <cctype>

#include "scan/ioc/feed_internal.h"

namespace cascade::scan::ioc {

namespace {

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  enum class Status { kRecord, kEnd, kError };
  Status next();
  const std::vector<std::string_view>& fields() const { return fields_; }
  std::size_t line() const { return record_line_; }  // where the record starts
  const std::string& error() const { return error_; }
  std::string_view feed_name() const { return feed_name_; }

 private:
  bool skip_comment_or_blank_line();
  bool read_quoted(std::string_view& value);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  std::vector<std::string_view> fields_;
  std::deque<std::string> unescaped_;  // storage for quoted fields that held "" escapes
  std::string error_;
  std::string_view feed_name_;
};

bool CsvReader::skip_comment_or_blank_line() {
  std::size_t end = text_.find('\n', pos_);
  if (end == std::string_view::npos) end = text_.size();
  const std::string_view line = trim(text_.substr(pos_, end - pos_));
  if (!line.empty() && line.front() != '#') return false;
  if (!line.empty() && feed_name_.empty()) feed_name_ = feed_name_directive(line.substr(1));
  pos_ = end + 1;
  ++line_;
  return true;
}

bool CsvReader::read_quoted(std::string_view& value) {
  const std::size_t start = ++pos_;  // past the opening quote
  bool escaped = false;
  for (;;) {
    const std::size_t quote = text_.find('"', pos_);
    if (quote == std::string_view::npos) {
      error_ = "unterminated quoted field";
      return false;
    }
    line_ += static_cast<std::size_t>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                                 text_.begin() + static_cast<std::ptrdiff_t>(quote),
                                                 '\n'));
    pos_ = quote + 1;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      escaped = true;
      ++pos_;
      continue;
    }
    value = text_.substr(start, quote - start);
    break;
  }
  if (escaped) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
      out += value[i];
      if (value[i] == '"') ++i;  // the second quote of a "" pair
    }
    value = unescaped_.emplace_back(std::move(out));
  }
  // Only spaces may separate the closing quote from the delimiter.
  while (pos_ < text_.size() &&
         (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r')) {
    ++pos_;
  }
  if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n') {
    error_ = "unexpected " + shown(text_.substr(pos_, 1)) + " after a closing quote";
    return false;
  }
  return true;
}

CsvReader::Status CsvReader::next() {
  fields_.clear();
  unescaped_.clear();
  while (pos_ < text_.size() && skip_comment_or_blank_line()) {
  }
  if (pos_ >= text_.size()) return Status::kEnd;
  record_line_ = line_;
  for (;;) {
    std::size_t p = pos_;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
    std::string_view value;
    if (p < text_.size() && text_[p] == '"') {
      pos_ = p;
      if (!read_quoted(value)) return Status::kError;
    } else {
      std::size_t end = text_.find_first_of(",\n", pos_);
      if (end == std::string_view::npos) end = text_.size();
      value = trim(text_.substr(pos_, end - pos_));
      pos_ = end;
    }
    fields_.push_back(value);
    if (pos_ >= text_.size()) return Status::kRecord;
    const char delimiter = text_[pos_++];
    if (delimiter == '\n') {
      ++line_;
      return Status::kRecord;
    }
  }
}

enum class Role { kOther, kHash, kThumbprint, kSerial, kIssuer, kLabel };

struct Column {
  Role role = Role::kOther;
  std::optional<HashKind> kind;  // kHash: the kind the header names, if it names one
  std::string header;
};

std::string normalized_header(std::string_view h) {
  std::string out;
  for (char c : h) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

Column classify(std::string_view header) {
  const std::string h = normalized_header(header);
  const auto has = [&](std::string_view part) { return h.find(part) != std::string::npos; };
  Column c;
  c.header = std::string(trim(header));
  if (has("thumbprint") || has("fingerprint")) {
    c.role = Role::kThumbprint;
  } else if (has("serial")) {
    c.role = Role::kSerial;
  } else if (has("issuer")) {
    c.role = Role::kIssuer;
  } else if (has("sha256") || has("sha1") || has("md5")) {
    c.role = Role::kHash;
    c.kind = has("sha256") ? HashKind::kSha256 : has("sha1") ? HashKind::kSha1 : HashKind::kMd5;
  } else if (h == "hash" || h == "hashes" || h == "filehash" || h == "hashvalue" || h == "digest" ||
             h == "checksum") {
    c.role = Role::kHash;
  } else if (h == "name" || h == "label" || h == "description" || h == "filename" || h == "title" ||
             h == "subject" || h == "signer") {
    c.role = Role::kLabel;
  }
  return c;
}

}  // namespace

Result<Feed> parse_csv_feed(std::string_view text, const std::string& path) {
  CsvReader reader(text);
  auto status = reader.next();
  if (status == CsvReader::Status::kError) return feed_error(path, reader.line(), reader.error());
  if (status == CsvReader::Status::kEnd) {
    return make_error(ErrorCode::kUnsupported, path + ": not an indicator feed (no content)");
  }
  const std::size_t header_line = reader.line();
  std::vector<Column> columns;
  bool signer = false;
  bool hashes = false;
  for (std::string_view f : reader.fields()) {
    columns.push_back(classify(f));
    signer |= columns.back().role == Role::kThumbprint || columns.back().role == Role::kSerial;
    hashes |= columns.back().role == Role::kHash;
  }
  if (!signer && !hashes) {
    return make_error(ErrorCode::kUnsupported,
                      path + ":" + std::to_string(header_line) +
                          ": not an indicator feed: the first line is neither a hash nor a CSV "
                          "header naming a hash column (sha256, sha1, md5, hash) or a signer "
                          "column (thumbprint, serial)");
  }
  // In a signer list, subject/signer columns describe the certificate; elsewhere they are data.
  for (auto& c : columns) {
    const std::string h = normalized_header(c.header);
    if (!signer && c.role == Role::kLabel && (h == "subject" || h == "signer")) {
      c.role = Role::kOther;
    }
  }

  Feed feed;
  feed.format = signer ? FeedFormat::kSignerList : FeedFormat::kCsv;
  std::string label;
  while ((status = reader.next()) == CsvReader::Status::kRecord) {
    const auto& fields = reader.fields();
    if (fields.size() != columns.size()) {
      return feed_error(path, reader.line(),
                        "expected " + std::to_string(columns.size()) +
                            " fields as in the header, found " + std::to_string(fields.size()));
    }
    label.clear();
    std::string_view issuer;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (columns[i].role == Role::kLabel && !fields[i].empty()) {
        if (!label.empty()) label += ": ";
        label += fields[i];
      } else if (columns[i].role == Role::kIssuer && issuer.empty()) {
        issuer = fields[i];
      }
    }
    const std::uint32_t label_id = feed.labels.intern(label);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const Column& c = columns[i];
      const std::string_view value = trim(fields[i]);
      const bool used =
          signer ? c.role == Role::kThumbprint || c.role == Role::kSerial : c.role == Role::kHash;
      if (!used) continue;
      if (value.empty()) {
        ++feed.skipped;
        continue;
      }
      const auto problem = c.role == Role::kThumbprint ? add_thumbprint(feed, value, label_id)
                           : c.role == Role::kSerial   ? add_serial(feed, value, issuer, label_id)
                                                       : add_hash(feed, value, c.kind, label_id);
      if (problem) return feed_error(path, reader.line(), "column '" + c.header + "': " + *problem);
    }
  }
  if (status == CsvReader::Status::kError) return feed_error(path, reader.line(), reader.error());
  feed.name = std::string(reader.feed_name());
  if (!feed.finish()) return make_error(ErrorCode::kLimit, path + ": out of memory");
  return feed;
}

}  // namespace cascade::scan::ioc
