// A c10d process group for data-parallel training: TCPStore rendezvous, Gloo (CPU) or NCCL (CUDA builds) collectives,
// timeouts, and heartbeats so a dead peer becomes an error naming its rank. Reference: torch/distributed/distributed_c10d.py.
#pragma once
#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/version.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace simclr {

// libtorch 2.0 split c10d: Gloo and NCCL became `c10d::Backend`s, and `c10d::ProcessGroup` a wrapper that dispatches
// to them through the c10d operator registry; in 1.13 they are `ProcessGroup`s themselves. The group calls the
// collectives on the Gloo/NCCL object directly, which both versions support, so only the type's name differs.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

struct GroupOptions {
  int rank = 0;
  int size = 1;
  std::string masterAddr = "127.0.0.1";
  uint16_t masterPort = 29500;
  // Longest wait for one collective (and for the rendezvous): a live but stuck peer ends in this error.
  std::chrono::milliseconds timeout{300000};
  // A peer whose heartbeat has not advanced for this long is declared dead while we wait on it.
  std::chrono::milliseconds peerTimeout{15000};
  int glooThreads = 2;
};

enum class ReduceKind { Sum, Max, Min };

class Group {
 public:
  explicit Group(const GroupOptions& options);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  int rank() const { return options_.rank; }
  int size() const { return options_.size; }
  std::string backendFor(const at::Tensor& t) const;

  // In place on every rank; `what` names the operation in errors.
  void allReduce(at::Tensor& t, ReduceKind kind, const std::string& what);
  // Concatenation along dim 0 of every rank's tensor (same shape everywhere), in rank order.
  at::Tensor allGather(const at::Tensor& t, const std::string& what);
  void broadcast(at::Tensor& t, int root, const std::string& what);
  void barrier(const std::string& what);
  // Stops the heartbeat and releases the backends; later calls throw.
  void shutdown();
  // Collectives run and the time spent waiting for them (communication plus waiting for slower peers).
  int64_t collectives() const { return collectives_.load(); }
  double waitMs() const { return waitNs_.load() / 1e6; }

 private:
  c10::intrusive_ptr<CollectiveBackend> backend(const at::Tensor& t);
  // Blocks until `work` completes; NCCL work on CUDA tensors is instead ordered on the current CUDA stream.
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const at::Tensor& t, const std::string& what);
  void checkUsable(const std::string& what) const;
  [[noreturn]] void fail(const std::string& what, const std::string& cause);
  std::string deadPeers(bool sampleTwice);
  std::vector<int64_t> readHeartbeats();
  void heartbeatLoop();
  std::string prefix(const std::string& what) const;

  GroupOptions options_;
  c10::intrusive_ptr<c10d::TCPStore> store_;    // rendezvous (rank 0 hosts the server)
  c10::intrusive_ptr<c10d::TCPStore> monitor_;  // main-thread client reading heartbeats
  c10::intrusive_ptr<CollectiveBackend> gloo_;
  c10::intrusive_ptr<CollectiveBackend> nccl_;  // created on first CUDA tensor, when built with NCCL
  std::thread heartbeat_;
  std::atomic<bool> stop_{false};
  std::mutex stopMutex_;
  std::condition_variable stopCv_;
  std::vector<int64_t> lastBeats_;
  std::vector<std::chrono::steady_clock::time_point> lastChange_;
  std::atomic<int64_t> collectives_{0};
  std::atomic<int64_t> waitNs_{0};
  std::string broken_;  // the first failure: every later call repeats it
  bool closed_ = false;
};

// Registry of open groups by id (ids are what JavaScript holds).
int64_t registerGroup(std::shared_ptr<Group> group);
std::shared_ptr<Group> groupById(int64_t id, const std::string& what);
void releaseGroup(int64_t id);

// Differentiable collectives (custom autograd functions).
// allReduceSumDiff: forward sums over ranks; backward sums the gradient over ranks.
at::Tensor allReduceSumDiff(int64_t groupId, const at::Tensor& x);
// allGatherDiff: forward concatenates every rank's x along dim 0; backward sums the gradient over ranks and
// returns this rank's slice, so the gradient of a sum of per-rank losses reaches every input exactly.
at::Tensor allGatherDiff(int64_t groupId, const at::Tensor& x);

}  // namespace simclr
