// Setting up a thread the server starts: its name, and for background work a lower priority.
#pragma once

#include <string>

namespace cohort {

// Names the calling thread (as `top -H`, `ps -L`, perf and gdb show it), so that an operator
// can tell the log writer from an I/O thread. Linux keeps at most 15 characters; longer names
// are cut. Names in use: docs/architecture.md, "Threads".
void SetThreadName(const std::string& name);

// Lowers the calling thread's priority by `by` nice levels (at most to 19; nothing for
// by <= 0). On Linux nice is per thread, and threads it starts inherit it. Lowering needs no
// privileges; errors are ignored (the thread just keeps its priority).
void LowerThreadPriority(int by);

// The calling thread's nice value.
int ThreadNice();

}  // namespace cohort
