# Writes OUTPUT, a header defining CASCADE_COMMIT (the short id of SOURCE_DIR's HEAD, or
# "unknown" outside a git checkout). The file is left untouched when the id is the same, so
# nothing that includes it is rebuilt.
execute_process(
  COMMAND git -C ${SOURCE_DIR} rev-parse --short=12 HEAD
  OUTPUT_VARIABLE commit
  OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE status
  ERROR_QUIET)
if(NOT status EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
endif()
set(content "// Generated at build time by cmake/build_commit.cmake.\n#pragma once\n#define CASCADE_COMMIT \"${commit}\"\n")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} previous)
  if(previous STREQUAL content)
    return()
  endif()
endif()
file(WRITE ${OUTPUT} "${content}")
