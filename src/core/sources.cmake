# core: bounds-checked reading, DER, digests, files and mappings, time, UTF-8 and printable text,
# strict JSON, and the finding vocabulary every layer shares.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/base64.cc
  ${CMAKE_CURRENT_LIST_DIR}/byte_reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/der.cc
  ${CMAKE_CURRENT_LIST_DIR}/digest.cc
  ${CMAKE_CURRENT_LIST_DIR}/entropy.cc
  ${CMAKE_CURRENT_LIST_DIR}/file_loader.cc
  ${CMAKE_CURRENT_LIST_DIR}/finding.cc
  ${CMAKE_CURRENT_LIST_DIR}/huge_pages.cc
  ${CMAKE_CURRENT_LIST_DIR}/input_file.cc
  ${CMAKE_CURRENT_LIST_DIR}/library_version.cc
  ${CMAKE_CURRENT_LIST_DIR}/mapped_file.cc
  ${CMAKE_CURRENT_LIST_DIR}/openssl_handles.cc
  ${CMAKE_CURRENT_LIST_DIR}/printable_text.cc
  ${CMAKE_CURRENT_LIST_DIR}/purl.cc
  ${CMAKE_CURRENT_LIST_DIR}/json_access.cc
  ${CMAKE_CURRENT_LIST_DIR}/strict_json.cc
  ${CMAKE_CURRENT_LIST_DIR}/time.cc
  ${CMAKE_CURRENT_LIST_DIR}/user_cache.cc
  ${CMAKE_CURRENT_LIST_DIR}/utf8.cc
)
