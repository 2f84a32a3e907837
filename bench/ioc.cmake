# Indicator feeds: ioc_load_bench times IndicatorSet::load on a generated multi-million-line
# SHA-256 list and lookups in it (bench/ioc_load.sh drives it).
add_executable(ioc_load_bench ${CMAKE_CURRENT_SOURCE_DIR}/ioc_load_bench.cc)
target_link_libraries(ioc_load_bench PRIVATE cascade)
