#include "base/thread_team.hpp"

#include <pthread.h>
#include <sched.h>

#include <exception>

namespace hwcal {

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
  }
  if (cpus.empty()) {
    unsigned n = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) cpus.push_back(static_cast<int>(i));
  }
  return cpus;
}

ThreadTeam::ThreadTeam(std::vector<int> cpus) {
  if (cpus.empty()) cpus.push_back(-1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    started_ = 0;
  }
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    workers_.emplace_back([this, i, cpu = cpus[i]] { work(i, cpu); });
  }
  // Wait until every worker has pinned itself, so pinned() is known after construction.
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return started_ == workers_.size(); });
}

ThreadTeam::~ThreadTeam() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadTeam::work(std::size_t index, int cpu) {
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      pinned_ = false;
    }
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    pinned_ = false;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++started_;
  }
  done_.notify_all();

  unsigned long long seen = 0;
  while (true) {
    const std::function<void(std::size_t)>* task = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      task = task_;
    }
    try {
      (*task)(index);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!failure_) failure_ = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--remaining_ == 0) done_.notify_all();
    }
  }
}

void ThreadTeam::run(const std::function<void(std::size_t)>& fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &fn;
    remaining_ = workers_.size();
    failure_ = nullptr;
    ++generation_;
  }
  start_.notify_all();
  std::exception_ptr failure;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return remaining_ == 0; });
    failure = failure_;
    task_ = nullptr;
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace hwcal
