// The workload part of the database report: rows from an entry's workload_summary and their
// console, markdown, JSON, CSV and HTML forms, kept apart from report.cpp's peak tables.
#pragma once

#include <string>

#include "hwcal/json/json_io.hpp"
#include "report/report.hpp"

namespace hwcal {

std::vector<WorkloadRow> workload_rows(const HardwareSpec& spec);
std::string console_workloads(const EntryReport& entry);
std::string markdown_workloads(const EntryReport& entry);
Json json_workloads(const EntryReport& entry);
// The HTML report's section (report_html_workloads.cpp): the results' table and, for results
// with layers (add_workload_layers), per-layer bars of predicted against measured time.
std::string html_workloads(const EntryReport& entry);
// CSV rows in the report's columns: metric workload:<name>:<precision>:b<batch>, one row in ms
// and one in images/s; `theoretical` holds the roofline's figure on the calibrated roof,
// `measured` the median, `efficiency` the stack efficiency.
std::string csv_workloads(const EntryReport& entry, const std::string& prefix_of_mode_columns);

}  // namespace hwcal
