// SPDX-License-Identifier: Apache-2.0
// Symbol visibility for the public API: the library builds with -fvisibility=hidden.
#pragma once

#if defined(CRATON_HSM_BUILDING)
#define CRATON_HSM_API __attribute__((visibility("default")))
#else
#define CRATON_HSM_API
#endif
