// A c10d process group: TCPStore rendezvous, Gloo collectives on CPU (NCCL on CUDA tensors when the libtorch build has
// it), blocking waits with timeouts, and a heartbeat thread per rank so a dead peer is named in the error.
#include "process_group.h"
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO  // the header is guarded by the flag libtorch was built with; Debian's and the official builds have Gloo
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#ifdef SIMCLR_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>

namespace simclr {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr milliseconds kHeartbeatEvery{500};
constexpr milliseconds kPollEvery{200};       // how often a blocked wait wakes up to look at the peers
constexpr milliseconds kPeerCheckEvery{2000};  // heartbeat reads while a collective is slow
constexpr milliseconds kDeathWindow{2000};     // after a failure: a heartbeat that does not move in this window is dead

bool isLoopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

std::shared_ptr<::gloo::transport::Device> glooDevice(const std::string& masterAddr) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME")) return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (isLoopback(masterAddr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// libtorch 2.4+ asks for the libuv store by default and refuses where it was built without libuv (Debian 13's 2.6):
// the classic store serves there. 1.13 has only the classic one.
c10::intrusive_ptr<c10d::TCPStore> makeStore(const std::string& host, c10d::TCPStoreOptions so) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  try {
    return c10::make_intrusive<c10d::TCPStore>(host, so);
  } catch (const std::exception& e) {
    if (!so.useLibUV || std::string(e.what()).find("without libuv") == std::string::npos) throw;
    so.useLibUV = false;
  }
#endif
  return c10::make_intrusive<c10d::TCPStore>(host, so);
}

c10::intrusive_ptr<c10d::TCPStore> storeClient(const GroupOptions& o, milliseconds timeout) {
  c10d::TCPStoreOptions so;
  so.port = o.masterPort;
  so.isServer = false;
  so.timeout = timeout;
  return makeStore(o.masterAddr, so);
}

std::string seconds(milliseconds ms) {
  std::ostringstream s;
  s.precision(3);
  s << ms.count() / 1000.0 << " s";
  return s.str();
}

std::string messageOf(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

c10d::ReduceOp reduceOp(ReduceKind kind) {
  switch (kind) {
    case ReduceKind::Max: return c10d::ReduceOp::MAX;
    case ReduceKind::Min: return c10d::ReduceOp::MIN;
    default: return c10d::ReduceOp::SUM;
  }
}

}  // namespace

Group::Group(const GroupOptions& o) : options_(o) {
  if (o.size < 1) throw std::invalid_argument("process group: world size must be >= 1, got " + std::to_string(o.size));
  if (o.rank < 0 || o.rank >= o.size) throw std::invalid_argument("process group: rank " + std::to_string(o.rank) + " is outside [0, " + std::to_string(o.size) + ")");
  const std::string where = o.masterAddr + ":" + std::to_string(o.masterPort);
  try {
    c10d::TCPStoreOptions so;
    so.port = o.masterPort;
    so.isServer = o.rank == 0;
    so.numWorkers = static_cast<size_t>(o.size);
    // 1.13's store host waits up to the timeout for the others and then carries on, so a peer that never comes is
    // found, and named from the heartbeats, when Gloo connects below. 2.x's throws "1/2 clients joined" instead:
    // there Gloo's connection alone does the waiting, which keeps 1.13's behaviour and message.
    so.waitWorkers = TORCH_VERSION_MAJOR < 2;
    so.timeout = o.timeout;
    store_ = makeStore(o.masterAddr, so);
    monitor_ = storeClient(o, milliseconds(5000));
  } catch (const std::exception& e) {
    throw std::runtime_error(prefix("rendezvous") + "no rendezvous with " + std::to_string(o.size) + " processes at " + where +
                             " within " + seconds(o.timeout) + ": " + messageOf(e));
  }
  lastBeats_.assign(o.size, -1);
  lastChange_.assign(o.size, Clock::now());
  auto beatClient = storeClient(o, milliseconds(5000));
  heartbeat_ = std::thread([this, beatClient] {
    const std::string key = "hb/" + std::to_string(options_.rank);
    while (!stop_.load()) {
      try {
        beatClient->add(key, 1);
      } catch (...) {
        // The store host is gone; the main thread reports it at the next collective.
      }
      std::unique_lock<std::mutex> lock(stopMutex_);
      stopCv_.wait_for(lock, kHeartbeatEvery, [this] { return stop_.load(); });
    }
  });
  try {
    auto opts = c10d::ProcessGroupGloo::Options::create(o.timeout);
    opts->threads = o.glooThreads;
    opts->devices.push_back(glooDevice(o.masterAddr));
    gloo_ = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", store_), o.rank, o.size, opts);
  } catch (const std::exception& e) {
    std::string who = deadPeers(true);
    shutdown();
    throw std::runtime_error(prefix("rendezvous") + "Gloo could not connect the " + std::to_string(o.size) + " processes at " + where +
                             (who.empty() ? "" : " (" + who + ")") + ": " + messageOf(e));
  }
}

Group::~Group() { shutdown(); }

void Group::shutdown() {
  if (heartbeat_.joinable()) {
    stop_.store(true);
    stopCv_.notify_all();
    heartbeat_.join();
  }
  if (closed_) return;
  closed_ = true;
  // After a failed collective a Gloo worker may still be blocked until its timeout: leave that backend alone
  // (the process is about to exit) rather than wait for it here.
  if (!broken_.empty()) return;
  nccl_.reset();
  gloo_.reset();
  monitor_.reset();
  store_.reset();
}

std::string Group::prefix(const std::string& what) const {
  return what + " failed on rank " + std::to_string(options_.rank) + " of " + std::to_string(options_.size) + ": ";
}

void Group::checkUsable(const std::string& what) const {
  if (!broken_.empty()) throw std::runtime_error(prefix(what) + "the process group is broken by an earlier failure: " + broken_);
  if (closed_) throw std::runtime_error(prefix(what) + "the process group was shut down");
}

std::string Group::backendFor(const at::Tensor& t) const {
#ifdef SIMCLR_WITH_NCCL
  if (t.defined() && t.is_cuda()) return "nccl";
#endif
  return "gloo";
}

c10::intrusive_ptr<CollectiveBackend> Group::backend(const at::Tensor& t) {
#ifdef SIMCLR_WITH_NCCL
  if (t.is_cuda()) {
    if (!nccl_) {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = options_.timeout;
      nccl_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(c10::make_intrusive<c10d::PrefixStore>("nccl", store_), options_.rank, options_.size, opts);
    }
    return nccl_;
  }
#endif
  return gloo_;
}

std::vector<int64_t> Group::readHeartbeats() {
  std::vector<int64_t> beats(options_.size);
  for (int r = 0; r < options_.size; r++) beats[r] = monitor_->add("hb/" + std::to_string(r), 0);
  return beats;
}

// Names the peers that look dead: heartbeats that do not move over kDeathWindow (sampleTwice), or that have not
// moved for peerTimeout (since earlier reads); a rank that never beat never joined. An unreachable store means its
// host, rank 0, is gone.
std::string Group::deadPeers(bool sampleTwice) {
  std::vector<int> dead, missing;
  try {
    auto before = readHeartbeats();
    auto now = Clock::now();
    std::vector<bool> still(options_.size, false);
    if (sampleTwice) {
      std::this_thread::sleep_for(kDeathWindow);
      auto after = readHeartbeats();
      for (int r = 0; r < options_.size; r++) still[r] = after[r] == before[r];
    } else {
      for (int r = 0; r < options_.size; r++) {
        if (before[r] != lastBeats_[r]) {
          lastBeats_[r] = before[r];
          lastChange_[r] = now;
        } else {
          still[r] = now - lastChange_[r] > options_.peerTimeout;
        }
      }
    }
    for (int r = 0; r < options_.size; r++) {
      if (r != options_.rank && still[r]) (before[r] == 0 ? missing : dead).push_back(r);
    }
  } catch (const std::exception&) {
    if (options_.rank == 0) return "";
    return "rank 0 is dead (it hosts the rendezvous store at " + options_.masterAddr + ":" + std::to_string(options_.masterPort) + ", which no longer answers)";
  }
  auto list = [](const std::vector<int>& ranks) {
    std::string out = ranks.size() == 1 ? "rank " : "ranks ";
    for (size_t i = 0; i < ranks.size(); i++) out += (i ? ", " : "") + std::to_string(ranks[i]);
    return out + (ranks.size() == 1 ? " is" : " are");
  };
  std::string out;
  if (!dead.empty()) out = list(dead) + " dead (no heartbeat" + (sampleTwice ? "" : " for " + seconds(options_.peerTimeout)) + ")";
  if (!missing.empty()) out += (out.empty() ? "" : "; ") + list(missing) + " missing (never joined)";
  return out;
}

void Group::fail(const std::string& what, const std::string& cause) {
  std::string who = deadPeers(true);
  broken_ = prefix(what) + (who.empty() ? "" : who + "; ") + cause;
  throw std::runtime_error(broken_);
}

// Blocks until the work completes. Wakes every kPollEvery: a slow collective looks at the peers' heartbeats,
// so a dead or frozen peer ends the wait within peerTimeout instead of the full timeout.
// NCCL work is different: wait() makes the current CUDA stream wait for NCCL's stream and returns (the CPU does not
// block), and a wait with a timeout would make NCCL treat a slow collective as failed. NCCL's own watchdog applies
// options_.timeout to it.
void Group::wait(const c10::intrusive_ptr<c10d::Work>& work, const at::Tensor& t, const std::string& what) {
  const auto start = Clock::now();
  collectives_++;
  auto done = [&] { waitNs_ += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count(); };
  if (backendFor(t) == "nccl") {
    try {
      work->wait();
      return done();
    } catch (const std::exception& e) {
      fail(what, messageOf(e));
    }
  }
  auto nextCheck = start + kPeerCheckEvery;
  for (;;) {
    try {
      work->wait(kPollEvery);
      return done();
    } catch (const std::exception& e) {
      if (work->isCompleted()) {
        try {
          work->wait();  // completed: returns, or rethrows the collective's own error
          return done();
        } catch (const std::exception& inner) {
          fail(what, messageOf(inner));
        }
      }
    }
    auto now = Clock::now();
    if (now - start > options_.timeout + kPeerCheckEvery) fail(what, "timed out after " + seconds(options_.timeout));
    if (now >= nextCheck) {
      nextCheck = now + kPeerCheckEvery;
      std::string who = deadPeers(false);
      if (!who.empty()) {
        broken_ = prefix(what) + who;
        throw std::runtime_error(broken_);
      }
    }
  }
}

namespace {
// Runs `op` on a contiguous tensor and copies the result back when `t` was not contiguous.
template <typename Op>
void onContiguous(at::Tensor& t, Op op) {
  at::Tensor work = t.detach();
  if (work.is_contiguous()) return op(work);
  at::Tensor c = work.contiguous();
  op(c);
  work.copy_(c);
}
}  // namespace

void Group::allReduce(at::Tensor& t, ReduceKind kind, const std::string& what) {
  checkUsable(what);
  onContiguous(t, [&](at::Tensor& c) {
    std::vector<at::Tensor> tensors{c};
    c10d::AllreduceOptions opts;
    opts.reduceOp = reduceOp(kind);
    wait(backend(c)->allreduce(tensors, opts), c, what);
  });
}

at::Tensor Group::allGather(const at::Tensor& t, const std::string& what) {
  checkUsable(what);
  if (t.dim() == 0) throw std::invalid_argument(what + ": cannot gather a 0-dim tensor along dim 0");
  at::Tensor input = t.detach().contiguous();
  std::vector<int64_t> shape = input.sizes().vec();
  const int64_t n = shape[0];
  shape[0] = n * options_.size;
  at::Tensor out = at::empty(shape, input.options());  // (size * N, ...)
  std::vector<at::Tensor> inputs{input};
  std::vector<std::vector<at::Tensor>> outputs(1);
  for (int r = 0; r < options_.size; r++) outputs[0].push_back(out.narrow(0, r * n, n));
  wait(backend(input)->allgather(outputs, inputs), input, what);
  return out;
}

void Group::broadcast(at::Tensor& t, int root, const std::string& what) {
  checkUsable(what);
  if (root < 0 || root >= options_.size) throw std::invalid_argument(what + ": root rank " + std::to_string(root) + " is outside [0, " + std::to_string(options_.size) + ")");
  onContiguous(t, [&](at::Tensor& c) {
    std::vector<at::Tensor> tensors{c};
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    wait(backend(c)->broadcast(tensors, opts), c, what);
  });
}

void Group::barrier(const std::string& what) {
  checkUsable(what);
  wait(gloo_->barrier(), at::Tensor(), what);  // a barrier is a Gloo (CPU) operation in every build
}

// ---- registry ----
namespace {
std::mutex registryMutex;
// Never destroyed: at process exit a group's threads are simply ended with the process.
auto* registry = new std::map<int64_t, std::shared_ptr<Group>>();
int64_t nextId = 1;
}  // namespace

int64_t registerGroup(std::shared_ptr<Group> group) {
  std::lock_guard<std::mutex> lock(registryMutex);
  int64_t id = nextId++;
  (*registry)[id] = std::move(group);
  return id;
}

std::shared_ptr<Group> groupById(int64_t id, const std::string& what) {
  std::lock_guard<std::mutex> lock(registryMutex);
  auto it = registry->find(id);
  if (it == registry->end()) throw std::invalid_argument(what + ": process group " + std::to_string(id) + " does not exist (destroyed?)");
  return it->second;
}

void releaseGroup(int64_t id) {
  std::shared_ptr<Group> group;
  {
    std::lock_guard<std::mutex> lock(registryMutex);
    auto it = registry->find(id);
    if (it == registry->end()) return;
    group = it->second;
    registry->erase(it);
  }
  group->shutdown();
}

}  // namespace simclr
