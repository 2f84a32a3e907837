// The API's OpenAPI 3.1 document (docs/schema/openapi.json), compiled in at build time so that
// the server needs no data directory to serve it.
#pragma once

#include <string_view>

namespace cascade::serve {

std::string_view openapi_document();

}  // namespace cascade::serve
