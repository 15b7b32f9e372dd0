#include "auth/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cctype>

#include "common/coding.h"

namespace cohort::auth {

std::string Sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len);
  return ToHex(std::string_view(reinterpret_cast<char*>(out), len));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

StatusOr<std::string> RandomHex(size_t bytes) {
  std::string buf(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(buf.data()), static_cast<int>(bytes)) != 1) {
    return UnavailableError("the system random number generator failed; retry");
  }
  return ToHex(buf);
}

Status VerifySignature(std::string_view key, std::string_view timestamp, std::string_view body,
                       std::string_view signature_hex, std::string_view header_prefix) {
  std::string prefix(header_prefix);
  if (timestamp.empty() || signature_hex.empty()) {
    return UnauthenticatedError("this stream requires signed requests: send " + prefix +
                                "-Timestamp and " + prefix +
                                "-Signature (hex HMAC-SHA256 of \"v0:<timestamp>:<body>\" with "
                                "the stream's signing key)");
  }
  std::string message = "v0:";
  message.append(timestamp);
  message.push_back(':');
  message.append(body);
  std::string expected = HmacSha256Hex(key, message);
  std::string given(signature_hex);
  for (char& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!ConstantTimeEquals(expected, given)) {
    return UnauthenticatedError(prefix +
                                "-Signature does not match the body: check that the signing key "
                                "configured on the stream is the webhook's key and that the body "
                                "is sent unmodified");
  }
  return Status::Ok();
}

}  // namespace cohort::auth
