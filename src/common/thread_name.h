// Names the calling thread (as `top -H`, `ps -L`, perf and gdb show it), so that an operator can
// tell the log writer from an I/O thread. Linux keeps at most 15 characters; longer names are
// cut. Names in use: docs/architecture.md, "Threads".
#pragma once

#include <string>

namespace cohort {

void SetThreadName(const std::string& name);

}  // namespace cohort
