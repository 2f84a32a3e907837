// RFC 3339 times (UTC on output; any offset on input), as the JSON formats cascade reads and
// writes them: in-toto/SLSA statements, scan reports, events.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace cascade {

// "2023-03-29T12:34:56Z", "2023-03-29T12:34:56.123+02:00" (fraction dropped), "...z", a space
// instead of 'T'. Anything else, or an impossible date, gives nullopt.
std::optional<std::time_t> parse_rfc3339(std::string_view text);

// "2023-03-29T12:34:56Z".
std::string format_rfc3339(std::time_t time);

// A duration as policies write it: a whole number with one unit s, m, h, d or w ("90d").
std::optional<long long> parse_duration_seconds(std::string_view text);

}  // namespace cascade
