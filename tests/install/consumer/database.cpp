// Loads a database through hwcal::database, whose static library needs nlohmann_json and fmt
// from the consumer's side: find_package(hwcal COMPONENTS database) must bring them.
#include <cstdio>

#include "hwcal/database/database.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer_database DATABASE\n");
    return 2;
  }
  hwcal::Database database = hwcal::Database::load(argv[1]);
  std::printf("entries %zu\n", database.entries().size());
  return database.load_diagnostics().has_errors() ? 1 : 0;
}
