// The Customer.io processor stage (SPEC §4): reads `customerio` events from the log in order
// and appends one flat record per event to `customerio_events`, with the checkpoint in the
// same group commit. Events that cannot be mapped stay raw and are counted as unmapped on
// `customerio`.
//
// Owned by the pipeline thread; not thread-safe.
#pragma once

#include <map>

#include "pipeline/stage.h"
#include "stream/catalog.h"
#include "stream/log_writer.h"

namespace cohort::pipeline {

inline constexpr char kRawStream[] = "customerio";
inline constexpr char kEventsStream[] = "customerio_events";

class CustomerIoStage final : public Stage {
 public:
  // All pointers must outlive the stage.
  static StatusOr<std::unique_ptr<CustomerIoStage>> Create(storage::Db* db,
                                                           stream::StreamCatalog* catalog,
                                                           stream::LogWriter* writer,
                                                           size_t batch_events);
  const std::string& name() const override { return name_; }
  Status RunOnce(uint64_t last_seq, bool* progressed) override;
  uint64_t checkpoint() const override { return checkpoint_; }

 private:
  CustomerIoStage(storage::Db* db, stream::StreamCatalog* catalog, stream::LogWriter* writer,
                  size_t batch)
      : db_(db), catalog_(catalog), writer_(writer), batch_(batch) {}

  const std::string name_ = "processor:customerio";
  storage::Db* const db_;
  stream::StreamCatalog* const catalog_;
  stream::LogWriter* const writer_;
  const size_t batch_;
  uint64_t checkpoint_ = 0;
};

}  // namespace cohort::pipeline
