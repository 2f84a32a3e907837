# The scan engine: the parallel walk and the recursive per-file scan over containers.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/walker.cc
  ${CMAKE_CURRENT_LIST_DIR}/walk_order.cc
  ${CMAKE_CURRENT_LIST_DIR}/scanner.cc
  ${CMAKE_CURRENT_LIST_DIR}/container_formats.cc
  ${CMAKE_CURRENT_LIST_DIR}/catalogs.cc
  ${CMAKE_CURRENT_LIST_DIR}/library_versions.cc
  ${CMAKE_CURRENT_LIST_DIR}/saved_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/cache/cached_entry.cc
  ${CMAKE_CURRENT_LIST_DIR}/cache/cache_keys.cc
  ${CMAKE_CURRENT_LIST_DIR}/cache/scan_cache.cc
)
