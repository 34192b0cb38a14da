// The machine's state while a run measures, as numbers (profile `conditions`, docs/calibrate.md):
// who ran it where (host name, command line, nice level, cgroup CPU quota, virtual machine), the
// load average at the start and the end, and, sampled over each kernel's own trial window, the
// share of the CPUs that other processes used and the share the hypervisor stole. A noisy number
// can then be told from a slow machine by reading the profile, not by guessing.
#pragma once

#include <string>
#include <vector>

#include "hwcal/json/json_io.hpp"
#include "measure/runner.hpp"

namespace hwcal {

// /proc/stat's first line as ticks, plus this process's own CPU time over the same moment.
struct CpuTicks {
  double busy = 0;   // user nice system irq softirq (not idle, iowait, steal)
  double steal = 0;  // taken by the hypervisor for other guests
  double total = 0;
  double own = 0;  // this process's user + system time, in the same ticks (0 under a sysroot)
  bool ok = false;
};
CpuTicks read_cpu_ticks(const std::string& sysroot);

// Shares of one window between two readings: other processes' busy time over all time, and
// stolen time over all time. Both -1 when either reading failed or no time passed.
struct CpuShares {
  double other = -1;
  double steal = -1;
  double ticks = 0;  // the window's length in ticks, summed over CPUs
};
CpuShares cpu_shares(const CpuTicks& before, const CpuTicks& after);

// Watches each call's timed trials: records its window's shares in the record
// (extra.conditions: other_cpu_share, steal_share) and sums them over the run. Passes begin and
// end on to `next` (the power and clock monitor), whose window it wraps.
class MachineStateObserver : public TrialObserver {
 public:
  explicit MachineStateObserver(std::string sysroot, TrialObserver* next = nullptr);
  void begin() override;
  void end(MeasurementRecord& record) override;
  // {"other_cpu_share": {"during": x, "max_call": y}, "steal_share": {...}, "windows": n}: shares
  // over all trial windows together, and the largest of a window long enough to tell (windows
  // shorter than 0.05 s per CPU are summed but not maxed). Null values when nothing was read.
  Json summary() const;

 private:
  std::string sysroot_;
  TrialObserver* next_;
  CpuTicks start_;
  CpuTicks sum_;  // deltas summed over windows
  double max_other_ = -1;
  double max_steal_ = -1;
  int windows_ = 0;
};

// The facts of who and where, read once: host_name, command_line (this process's argv, from
// /proc/self/cmdline), nice, cgroup_cpu_quota (CPUs the cgroup may use, null when unlimited or
// unreadable, with its source), virtual_machine, and load_average now ([1, 5, 15] minutes).
Json machine_facts(const std::string& sysroot, bool virtual_machine);

// The load average [1, 5, 15] minutes, or null when unreadable.
Json load_average(const std::string& sysroot);

}  // namespace hwcal
