#include "pipeline/stage.h"

#include "common/coding.h"
#include "stream/key_codec.h"

namespace cohort::pipeline {

std::string CheckpointKey(std::string_view stage) { return stream::MetaKey("checkpoint", stage); }

std::string EncodeCheckpoint(uint64_t seq) {
  std::string v;
  PutBigEndian64(&v, seq);
  return v;
}

StatusOr<uint64_t> LoadCheckpoint(storage::Db* db, std::string_view stage) {
  ASSIGN_OR_RETURN(auto v, db->Get(storage::Family::kMeta, CheckpointKey(stage)));
  if (!v) return uint64_t{0};
  std::string_view in = *v;
  uint64_t seq;
  if (!GetBigEndian64(&in, &seq)) {
    return InternalError("checkpoint of " + std::string(stage) + " is corrupt");
  }
  return seq;
}

}  // namespace cohort::pipeline
