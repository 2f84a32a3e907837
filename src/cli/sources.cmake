# cli: the `cascade` command line (CLI11): one file per command, shared output and trust options.
target_sources(cascade-cli PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/main.cc
  ${CMAKE_CURRENT_LIST_DIR}/inspect_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/scan_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/diff_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/key_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/attest_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/verify_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/rebuild_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/graph_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/hunt_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/serve_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/output.cc
  ${CMAKE_CURRENT_LIST_DIR}/trust_args.cc
  ${CMAKE_CURRENT_LIST_DIR}/trust_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/common_options.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_options.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_commands.cc
  ${CMAKE_CURRENT_LIST_DIR}/version_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/input_paths.cc
  ${CMAKE_CURRENT_LIST_DIR}/cli_tree.cc
  ${CMAKE_CURRENT_LIST_DIR}/man_pages.cc
  ${CMAKE_CURRENT_LIST_DIR}/completions.cc
)
