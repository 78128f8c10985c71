// SPDX-License-Identifier: Apache-2.0
// The process-wide registry behind Module::acquire: one Module per resolved library path.
#include <condition_variable>
#include <map>

#include "pkcs11/loader/library_path.h"
#include "pkcs11/loader/module.h"

namespace craton::hsm::pkcs11 {
namespace {

// Loading and finalising happen under the registry lock, so a library is never initialised by
// one owner while its previous owner is still finalising it.
struct Registry {
  std::mutex mutex;
  std::condition_variable finalized;
  std::map<std::filesystem::path, std::weak_ptr<const Module>> modules;
};

Registry& registry() {
  // Never destroyed: modules released during static destruction still need it.
  static auto* instance = new Registry;
  return *instance;
}

}  // namespace

Result<std::shared_ptr<const Module>> Module::acquire(const ModuleOptions& options) {
  CRATON_ASSIGN_OR_RETURN(
      const std::filesystem::path resolved,
      check_library_path(options.library_path, options.allow_unprotected_library_path));
  Registry& reg = registry();
  std::unique_lock lock(reg.mutex);
  for (auto it = reg.modules.find(resolved); it != reg.modules.end();
       it = reg.modules.find(resolved)) {
    if (auto alive = it->second.lock()) return alive;
    // The last owner is on its way to finalise it; wait until it has.
    reg.finalized.wait(lock);
  }

  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<Module> loaded, load(options, resolved));
  std::shared_ptr<const Module> shared(loaded.release(), [resolved](const Module* module) {
    Registry& r = registry();
    const std::lock_guard guard(r.mutex);
    delete module;
    r.modules.erase(resolved);
    r.finalized.notify_all();
  });
  reg.modules.emplace(resolved, shared);
  return shared;
}

}  // namespace craton::hsm::pkcs11
