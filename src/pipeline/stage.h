// A pipeline stage: a consumer of the stream log with its own checkpoint. Each RunOnce reads
// events after the checkpoint, applies them, and stores the new checkpoint atomically with
// its effects, so a crash neither loses nor repeats an event's effect.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "storage/db.h"

namespace cohort::pipeline {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual const std::string& name() const = 0;
  // Processes at most one batch of events up to `last_seq`. Sets *progressed when the
  // checkpoint moved. Errors stop the pipeline (they are storage failures).
  virtual Status RunOnce(uint64_t last_seq, bool* progressed) = 0;
  // The last seq whose effect is durable.
  virtual uint64_t checkpoint() const = 0;
};

// meta key of a stage checkpoint, and its value codec (u64 BE).
std::string CheckpointKey(std::string_view stage);
std::string EncodeCheckpoint(uint64_t seq);
StatusOr<uint64_t> LoadCheckpoint(storage::Db* db, std::string_view stage);

}  // namespace cohort::pipeline
