# serve: cascade serve, the inventory as an HTTP API (docs/serve.md), on cpp-httplib with OpenSSL
# (Debian's libcpp-httplib-dev, found through its pkg-config file, which also carries the
# CPPHTTPLIB_OPENSSL_SUPPORT definition the library was built with). docs/schema/openapi.json is
# compiled in (a raw string) and served at /api/v1/openapi.json.
pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
set(CASCADE_OPENAPI_JSON ${CMAKE_SOURCE_DIR}/docs/schema/openapi.json)
set_property(DIRECTORY ${CMAKE_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CASCADE_OPENAPI_JSON})
file(READ ${CASCADE_OPENAPI_JSON} CASCADE_OPENAPI_TEXT)
configure_file(${CMAKE_CURRENT_LIST_DIR}/openapi.cc.in ${CMAKE_BINARY_DIR}/generated/openapi.cc
  @ONLY)
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/tokens.cc
  ${CMAKE_CURRENT_LIST_DIR}/routes.cc
  ${CMAKE_CURRENT_LIST_DIR}/store_pool.cc
  ${CMAKE_CURRENT_LIST_DIR}/hot_graph.cc
  ${CMAKE_CURRENT_LIST_DIR}/rate_limit.cc
  ${CMAKE_CURRENT_LIST_DIR}/metrics.cc
  ${CMAKE_CURRENT_LIST_DIR}/trace_pages.cc
  ${CMAKE_CURRENT_LIST_DIR}/server.cc
  ${CMAKE_CURRENT_LIST_DIR}/handlers.cc
  ${CMAKE_CURRENT_LIST_DIR}/node_handlers.cc
  ${CMAKE_CURRENT_LIST_DIR}/client.cc
  ${CMAKE_CURRENT_LIST_DIR}/spool.cc
  ${CMAKE_CURRENT_LIST_DIR}/report_sender.cc
  ${CMAKE_CURRENT_LIST_DIR}/trace_client.cc
  ${CMAKE_BINARY_DIR}/generated/openapi.cc
)
target_link_libraries(cascade PUBLIC PkgConfig::CPP_HTTPLIB OpenSSL::SSL)
