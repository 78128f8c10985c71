// SPDX-License-Identifier: Apache-2.0
// Owners for the OpenSSL objects the software backend creates, beyond those keys/ already has.
#pragma once

#include <memory>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "keys/openssl_ptr.h"

// Same namespace and deleter as keys/openssl_ptr.h, so the two lists can merge into one.
namespace craton::hsm::ossl {

using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using CipherPtr = std::unique_ptr<EVP_CIPHER, Deleter<EVP_CIPHER_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using MacPtr = std::unique_ptr<EVP_MAC, Deleter<EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<EVP_MAC_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using Pkcs8InfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO_free>>;

}  // namespace craton::hsm::ossl
