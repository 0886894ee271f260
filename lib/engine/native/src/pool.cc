// A tiny persistent thread pool. Kernels call parallel_for for large loops; with
// few cores, spawning threads per call would cost more than the loop itself.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#include "kernels.h"

namespace vg {
namespace {

struct Job {
  void (*call)(void*, int64_t, int64_t);
  void* ctx;
  int64_t n, chunk;
  int parts;
};

class Pool {
 public:
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int n) {
    if (n < 1) n = 1;
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
      gen_.fetch_add(1);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    // The generation is read here, not in the new thread: a thread that starts late must still
    // notice a resize (stop) or job posted after this point.
    const uint64_t start = gen_.load();
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, start] { loop(start); });
  }

  void run(const Job& job) {
    uint64_t g = gen_.load() + 1;
    job_ = job;
    pending_.store(job.parts);
    // A ticket is (generation << 32 | next part): a worker still looking at the previous
    // job can never claim a part of this one.
    ticket_.store(g << 32, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lk(mu_);
      gen_.store(g);
    }
    cv_.notify_all();
    drain(g);
    while (pending_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
  }

 private:
  void drain(uint64_t g) {
    for (;;) {
      uint64_t t = ticket_.load(std::memory_order_acquire);
      if ((t >> 32) != g || static_cast<int>(t & 0xffffffffu) >= job_.parts) return;
      if (!ticket_.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel)) continue;
      int p = static_cast<int>(t & 0xffffffffu);
      int64_t b = p * job_.chunk, e = b + job_.chunk < job_.n ? b + job_.chunk : job_.n;
      if (b < e) job_.call(job_.ctx, b, e);
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }
  void loop(uint64_t seen) {
    for (;;) {
      // Spin briefly: training issues kernels back to back, so the next job is usually near.
      for (int i = 0; i < 2000 && gen_.load(std::memory_order_acquire) == seen; ++i) std::this_thread::yield();
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return gen_.load() != seen; });
        seen = gen_.load();
        if (stop_) return;
      }
      drain(seen);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> gen_{0}, ticket_{0};
  std::atomic<int> pending_{0};
  bool stop_ = false;
  Job job_{};
};

Pool& pool() {
  static Pool* p = new Pool;  // leaked on purpose: no thread joins during process exit
  return *p;
}

}  // namespace

void set_threads(int n) {
  if (n < 1) n = 1;
  pool().resize(n);
}

int get_threads() { return pool().size(); }

void parallel_for_impl(int64_t n, int64_t grain, void (*call)(void*, int64_t, int64_t), void* ctx) {
  int threads = pool().size();
  if (n <= 0) return;
  if (threads <= 1 || n < 2 * grain) { call(ctx, 0, n); return; }
  // A few parts per thread: whoever is running takes the next one, so a thread the OS has
  // descheduled (V8's GC, another process) delays the job by one small part at most.
  int64_t parts = n / grain;
  if (parts > 4 * threads) parts = 4 * threads;
  int64_t chunk = (n + parts - 1) / parts;
  pool().run(Job{call, ctx, n, chunk, static_cast<int>(parts)});
}

}  // namespace vg
