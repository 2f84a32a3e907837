# scan's recognisers of installed packages (dpkg, npm, Python metadata), added to libcascade by
# the top-level CMakeLists.txt.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/installed_package.cc
  ${CMAKE_CURRENT_LIST_DIR}/advisory_match.cc
  ${CMAKE_CURRENT_LIST_DIR}/manifest.cc
  ${CMAKE_CURRENT_LIST_DIR}/manifest_text.cc
  ${CMAKE_CURRENT_LIST_DIR}/dpkg_status.cc
  ${CMAKE_CURRENT_LIST_DIR}/npm_manifests.cc
  ${CMAKE_CURRENT_LIST_DIR}/python_metadata.cc
  ${CMAKE_CURRENT_LIST_DIR}/os_release.cc
)
