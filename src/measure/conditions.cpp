#include "measure/conditions.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "base/sysfs.hpp"
#include "base/text.hpp"

namespace hwcal {
namespace {

// Shares and load figures are stored to three decimals: finer is noise.
double round_to(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

bool this_machine(const std::string& sysroot) { return sysroot.empty() || sysroot == "/"; }

// This process's user and system time in /proc/stat's ticks: its own threads (OpenBLAS's
// workers spin a while after a call) are not "other processes".
double own_ticks() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  const double seconds =
      static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  return seconds * static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A window shorter than this many ticks per CPU is too coarse for a share of its own (the
// kernel counts in ticks of 10 ms): 5 ticks, 0.05 s.
constexpr double kMinTicksPerCpuForMax = 5;

}  // namespace

CpuTicks read_cpu_ticks(const std::string& sysroot) {
  CpuTicks ticks;
  std::string why;
  auto stat = SysRoot(sysroot.empty() ? "/" : sysroot).read("/proc/stat", why);
  if (!stat) return ticks;
  const std::string line = stat->substr(0, stat->find('\n'));
  if (line.rfind("cpu ", 0) != 0) return ticks;
  std::istringstream fields(line.substr(4));
  unsigned long long value = 0;
  int index = 0;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in
  // user and nice, so it is not added twice.
  while (index < 8 && fields >> value) {
    const double v = static_cast<double>(value);
    ticks.total += v;
    if (index == 7) {
      ticks.steal += v;
    } else if (index != 3 && index != 4) {
      ticks.busy += v;
    }
    ++index;
  }
  ticks.ok = index >= 4;
  ticks.own = this_machine(sysroot) ? own_ticks() : 0;
  return ticks;
}

CpuShares cpu_shares(const CpuTicks& before, const CpuTicks& after) {
  CpuShares shares;
  if (!before.ok || !after.ok || after.total <= before.total) return shares;
  shares.ticks = after.total - before.total;
  const double others = (after.busy - before.busy) - (after.own - before.own);
  shares.other = std::clamp(others / shares.ticks, 0.0, 1.0);
  shares.steal = std::clamp((after.steal - before.steal) / shares.ticks, 0.0, 1.0);
  return shares;
}

MachineStateObserver::MachineStateObserver(std::string sysroot, TrialObserver* next)
    : sysroot_(std::move(sysroot)), next_(next) {}

void MachineStateObserver::begin() {
  start_ = read_cpu_ticks(sysroot_);
  if (next_ != nullptr) next_->begin();
}

void MachineStateObserver::end(MeasurementRecord& record) {
  if (next_ != nullptr) next_->end(record);
  const CpuTicks now = read_cpu_ticks(sysroot_);
  const CpuShares shares = cpu_shares(start_, now);
  if (shares.other < 0) return;
  if (!record.extra.is_object()) record.extra = Json::object();
  record.extra["conditions"] =
      Json::object({{"other_cpu_share", round_to(shares.other, 3)},
                    {"steal_share", round_to(shares.steal, 3)},
                    {"window_s", round_to(shares.ticks / static_cast<double>(sysconf(_SC_CLK_TCK)) /
                                              std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)),
                                          3)}});
  sum_.busy += now.busy - start_.busy;
  sum_.own += now.own - start_.own;
  sum_.steal += now.steal - start_.steal;
  sum_.total += now.total - start_.total;
  sum_.ok = true;
  ++windows_;
  const double cpus = static_cast<double>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  if (shares.ticks >= kMinTicksPerCpuForMax * cpus) {
    max_other_ = std::max(max_other_, shares.other);
    max_steal_ = std::max(max_steal_, shares.steal);
  }
}

Json MachineStateObserver::summary() const {
  auto share = [](double value) { return value < 0 ? Json() : Json(round_to(value, 3)); };
  const CpuShares all = cpu_shares(CpuTicks{0, 0, 0, 0, true}, sum_);
  return Json::object(
      {{"other_cpu_share",
        Json::object({{"during", share(all.other)}, {"max_call", share(max_other_)}})},
       {"steal_share",
        Json::object({{"during", share(all.steal)}, {"max_call", share(max_steal_)}})},
       {"windows", windows_}});
}

Json load_average(const std::string& sysroot) {
  std::string why;
  auto text = SysRoot(sysroot.empty() ? "/" : sysroot).read("/proc/loadavg", why);
  if (!text) return Json();
  std::istringstream fields(*text);
  double one = 0, five = 0, fifteen = 0;
  if (!(fields >> one >> five >> fifteen)) return Json();
  return Json::array({one, five, fifteen});
}

Json machine_facts(const std::string& sysroot, bool virtual_machine) {
  Json facts = Json::object();
  char name[HOST_NAME_MAX + 1] = {};
  if (this_machine(sysroot) && gethostname(name, sizeof name) == 0) {
    facts["host_name"] = std::string(name);
  } else {
    std::string why;
    auto text = SysRoot(sysroot).read("/proc/sys/kernel/hostname", why);
    facts["host_name"] = text ? Json(trim(*text)) : Json();
  }
  if (this_machine(sysroot)) {
    std::string why;
    auto cmdline = SysRoot("/").read("/proc/self/cmdline", why);
    Json words = Json::array();
    if (cmdline) {
      std::size_t begin = 0;
      while (begin < cmdline->size()) {
        std::size_t end = cmdline->find('\0', begin);
        if (end == std::string::npos) end = cmdline->size();
        words.push_back(cmdline->substr(begin, end - begin));
        begin = end + 1;
      }
    }
    facts["command_line"] = words;
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, 0);
    facts["nice"] = errno == 0 ? Json(nice) : Json();
  }
  // cgroup v2's cpu.max: "max 100000" (no quota) or "200000 100000" (2 CPUs' worth).
  std::string why;
  Json quota = Json::object({{"cpus", nullptr}, {"source", "/sys/fs/cgroup/cpu.max"}});
  if (auto text = SysRoot(sysroot.empty() ? "/" : sysroot).read("/sys/fs/cgroup/cpu.max", why)) {
    std::istringstream fields(*text);
    std::string limit;
    double period = 0;
    if (fields >> limit >> period && limit != "max" && period > 0) {
      try {
        quota["cpus"] = round_to(std::stod(limit) / period, 3);
      } catch (const std::exception&) {
        quota["problem"] = "unreadable: " + trim(*text);
      }
    }
  } else {
    quota["problem"] = why;
  }
  facts["cgroup_cpu_quota"] = quota;
  facts["virtual_machine"] = virtual_machine;
  facts["load_average"] = Json::object({{"start", load_average(sysroot)}});
  return facts;
}

}  // namespace hwcal
