// A fixed team of worker threads, one per core, each pinned to its core when possible. A
// multi-threaded kernel runs one call as team.run(fn): every worker calls fn(index) and run
// returns when all are done. The threads live as long as the team, so a timed call does not
// pay for thread creation, and each worker keeps the memory it first touched.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hwcal {

class ThreadTeam {
 public:
  // `cpus`: the CPU each worker is pinned to (its size is the team's size); empty entries of the
  // affinity mask are skipped. Pinning failures are not errors (containers may forbid it).
  explicit ThreadTeam(std::vector<int> cpus);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  std::size_t size() const { return workers_.size(); }
  bool pinned() const { return pinned_; }

  // Runs fn(worker index) on every worker and waits for all. Exceptions thrown by fn are
  // rethrown here (the first one).
  void run(const std::function<void(std::size_t)>& fn);

 private:
  void work(std::size_t index, int cpu);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable done_;
  const std::function<void(std::size_t)>* task_ = nullptr;
  unsigned long long generation_ = 0;
  std::size_t remaining_ = 0;
  std::size_t started_ = 0;
  bool stopping_ = false;
  bool pinned_ = true;
  std::exception_ptr failure_;
};

// The CPUs this process may run on (sched_getaffinity), in order.
std::vector<int> allowed_cpus();

}  // namespace hwcal
