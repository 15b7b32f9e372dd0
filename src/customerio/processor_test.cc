// Unit tests of the processor's error paths and API contract. Mapping behaviour is tested as
// data in tests/golden/customerio (golden_test.cc).
#include "customerio/processor.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace cohort::customerio {
namespace {

void ExpectError(std::string_view input, std::string_view message_part) {
  StatusOr<ProcessResult> got = ProcessCustomerIoEvent(input);
  ASSERT_FALSE(got.ok()) << "input: " << input;
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find(message_part), std::string::npos)
      << "input: " << input << " message: " << got.status().message();
}

TEST(ProcessorTest, NonObjectJsonIsAnError) {
  ExpectError(R"([{"event_id":"a","object_type":"email","metric":"sent"}])",
              "customerio event must be a JSON object, got an array");
  ExpectError(R"("email_opened")", "must be a JSON object, got a string");
  ExpectError("42", "must be a JSON object, got a number");
  ExpectError("1.5", "must be a JSON object, got a number");
  ExpectError("true", "must be a JSON object, got a boolean");
  ExpectError("null", "must be a JSON object, got null");
}

TEST(ProcessorTest, MalformedJsonIsAnError) {
  ExpectError("", "customerio event is not valid JSON");
  ExpectError("   ", "customerio event is not valid JSON");
  ExpectError(R"({"event_id":"a",)", "customerio event is not valid JSON");
  ExpectError(R"({"event_id":"a"} {"event_id":"b"})", "customerio event is not valid JSON");
  ExpectError(R"({"event_id": tru})", "customerio event is not valid JSON");
  ExpectError(R"({'event_id':'a'})", "customerio event is not valid JSON");
  ExpectError(R"({"a":123456789012345678901234567890})", "customerio event is not valid JSON");
  ExpectError("{\"subject\":\"\xff\xfe\"}", "not valid UTF-8");
  ExpectError(std::string(2000, '[') + std::string(2000, ']'),
              "customerio event is not valid JSON");
}

TEST(ProcessorTest, InputNeedNotBeNulTerminatedOrPadded) {
  std::string buffer =
      R"({"event_id":"x","event_type":"email_sent","timestamp":5}TRAILING GARBAGE)";
  std::string_view view(buffer.data(), buffer.find('}') + 1);
  StatusOr<ProcessResult> got = ProcessCustomerIoEvent(view);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(
      got->record_json,
      R"({"event_id":"x","object_type":"email","metric":"sent","event":"email_sent","timestamp":5})");
}

TEST(ProcessorTest, UnmappedKeepsIdAndTime) {
  StatusOr<ProcessResult> got = ProcessCustomerIoEvent(R"({"event_id":7,"timestamp":"12"})");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->outcome, ProcessResult::Outcome::kUnmapped);
  EXPECT_EQ(got->record_json, "");
  EXPECT_EQ(got->event_id, "7");
  EXPECT_EQ(got->timestamp_s, 12);
  EXPECT_FALSE(got->timestamp_invalid);
}

TEST(ProcessorTest, ErrorThenSuccessOnTheSameThread) {
  // The thread's parser is reused; a failed parse must not poison the next one.
  ASSERT_FALSE(ProcessCustomerIoEvent("{").ok());
  StatusOr<ProcessResult> got =
      ProcessCustomerIoEvent(R"({"object_type":"sms","metric":"sent","data":{"recipient":"+1"}})");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->record_json,
            R"({"object_type":"sms","metric":"sent","event":"sms_sent","recipient":"+1"})");
}

TEST(ProcessorTest, ThreadSafe) {
  const std::string input =
      R"({"event_id":"e","object_type":"email","metric":"opened","timestamp":1717250412,)"
      R"("data":{"identifiers":{"email":"A@Example.org","id":"c"},"subject":"Hi"}})";
  const std::string want =
      R"({"event_id":"e","object_type":"email","metric":"opened","event":"email_opened",)"
      R"("timestamp":1717250412,"customer_id":"c","email":"a@example.org","subject":"Hi"})";
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        StatusOr<ProcessResult> got = ProcessCustomerIoEvent(input);
        if (!got.ok() || got->record_json != want) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace cohort::customerio
