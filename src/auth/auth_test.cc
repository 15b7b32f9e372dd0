#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/crypto.h"
#include "auth/token_store.h"
#include "common/testing/temp_path.h"

namespace cohort::auth {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(CryptoTest, HmacKnownAnswer) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoTest, CustomerIoSignatureExample) {
  std::string body = ReadFile(COHORT_SHARED_DIR "/fixtures/customerio/current_email_opened.json");
  while (!body.empty() && body.back() == '\n') body.pop_back();
  ASSERT_FALSE(body.empty());
  const std::string key = "whsec_cohort_example_key", ts = "1717250413";
  const std::string sig = "e4992e6dc8be8f8cade352129bcbe8c0041861429263bf4941aecf15298848d1";
  EXPECT_TRUE(VerifySignature(key, ts, body, sig, "X-CIO").ok());
  std::string upper = sig;
  for (char& c : upper) c = static_cast<char>(toupper(c));
  EXPECT_TRUE(VerifySignature(key, ts, body, upper, "X-CIO").ok());
  std::string changed = body;
  changed[10] ^= 1;
  EXPECT_EQ(VerifySignature(key, ts, changed, sig, "X-CIO").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifySignature(key, "1717250414", body, sig, "X-CIO").code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifySignature(key, ts, body, "", "X-CIO").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifySignature("other", ts, body, sig, "X-CIO").code(),
            StatusCode::kUnauthenticated);
}

TEST(RoleTest, Matrix) {
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Access::kApiWrite));
  EXPECT_TRUE(RoleAllows(Role::kCollect, Access::kCollect));
  EXPECT_FALSE(RoleAllows(Role::kCollect, Access::kApiRead));
  EXPECT_TRUE(RoleAllows(Role::kRead, Access::kApiRead));
  EXPECT_FALSE(RoleAllows(Role::kRead, Access::kApiWrite));
  EXPECT_FALSE(RoleAllows(Role::kRead, Access::kCollect));
  EXPECT_EQ(ParseRole("collect"), Role::kCollect);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
}

TEST(TokenStoreTest, CreateAuthenticateRevokePersist) {
  std::string dir = testing::UniqueTempPath("cohort-tok-");
  FakeClock clock;
  std::string plain, id;
  {
    auto db = storage::Db::Open({.path = dir});
    ASSERT_TRUE(db.ok());
    auto store = TokenStore::Load(db->get(), &clock);
    ASSERT_TRUE(store.ok());
    auto boot = (*store)->Bootstrap("");
    ASSERT_TRUE(boot.ok());
    EXPECT_EQ(boot->size(), 52u);  // "coh_" + 48 hex
    EXPECT_EQ((*store)->Authenticate(*boot)->role, Role::kAdmin);
    auto again = (*store)->Bootstrap("");
    EXPECT_EQ(*again, "");  // not printed twice
    auto created = (*store)->Create("cio", Role::kCollect);
    ASSERT_TRUE(created.ok());
    plain = created->second;
    id = created->first.id;
    EXPECT_EQ((*store)->Authenticate(plain)->name, "cio");
    EXPECT_FALSE((*store)->Authenticate(plain + "x"));
    EXPECT_FALSE((*store)->Authenticate(""));
    EXPECT_EQ((*store)->List().size(), 2u);
  }
  auto db = storage::Db::Open({.path = dir});
  auto store = TokenStore::Load(db->get(), &clock);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Authenticate(plain)->role, Role::kCollect);
  ASSERT_TRUE((*store)->Revoke(id).ok());
  EXPECT_FALSE((*store)->Authenticate(plain));
  EXPECT_EQ((*store)->Revoke(id).code(), StatusCode::kNotFound);
  // A configured admin token is added even to a store with tokens, and must be long enough.
  EXPECT_EQ(*(*store)->Bootstrap("configured-admin-token-123"), "configured-admin-token-123");
  EXPECT_EQ((*store)->Authenticate("configured-admin-token-123")->role, Role::kAdmin);
  EXPECT_EQ((*store)->Bootstrap("short").status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cohort::auth
