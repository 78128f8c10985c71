// SPDX-License-Identifier: Apache-2.0
// C_GetFunctionList: loads the real module and the environment's fault specs once, and hands
// out the shim's function list. A bad spec refuses the load, so a typo cannot yield a test
// that runs without its fault.
#include <cstdio>
#include <cstdlib>

#include "call.h"
#include "counters.h"
#include "entry_points.h"
#include "spec.h"
#include "vendor_modes.h"

namespace craton::hsm::fault_shim {
namespace {

CK_FUNCTION_LIST shim_list{};

bool load() {
  if (!load_real_module()) {
    std::fputs("craton fault shim: cannot load the real module (CRATON_SHIM_TARGET)\n", stderr);
    return false;
  }
  shim_list.version = real()->version;
  // A function the real module leaves out stays out of ours.
#define CRATON_FORWARD(name)                       \
  shim_list.C_##name = real()->C_##name == nullptr \
                           ? nullptr               \
                           : &Forward<Fn::name, &CK_FUNCTION_LIST::C_##name>::call;
  CRATON_PKCS11_FUNCTIONS(CRATON_FORWARD)
#undef CRATON_FORWARD
  install_session_calls(shim_list);
  install_object_calls(shim_list);
  install_vendor_modes(shim_list);  // last: it wraps every entry above
  shim_list.C_GetFunctionList = &C_GetFunctionList;
  // Consumers that exit without C_Finalize (pkcs11-tool on an error) still leave their stats.
  // Registered after the counters and handle table exist, so it runs before they are gone.
  static_cast<void>(counters().snapshot());
  std::atexit([] { write_stats_file(); });
  if (const auto applied = apply_environment(); !applied) {
    std::fprintf(stderr, "craton fault shim: %s\n", applied.error().c_str());
    return false;
  }
  return true;
}

}  // namespace
}  // namespace craton::hsm::fault_shim

extern "C" __attribute__((visibility("default"))) CK_RV C_GetFunctionList(
    CK_FUNCTION_LIST_PTR_PTR list) {
  static const bool loaded = craton::hsm::fault_shim::load();
  if (!loaded) return CKR_GENERAL_ERROR;
  if (list == nullptr) return CKR_ARGUMENTS_BAD;
  *list = &craton::hsm::fault_shim::shim_list;
  return CKR_OK;
}
